# Audit log.
audit-title = Audit log
audit-filters = Filter the log
audit-actor = Actor
audit-action = Action
audit-action-hint = a prefix, e.g. opd. or user.create
audit-from = From date
audit-to = To date
audit-export = Download CSV
audit-verify-hint = The chain's integrity is checked with the command humas audit verify.
audit-none = No matching entries.
audit-time = Time
audit-target = Target
audit-change = Change
audit-show-change = Show
audit-before = Before:
audit-after = After:
audit-older = Older entries →

# Per-platform publishing rules (humas_domain::publish::limits), approval chains
# (publish::chain) and checks of uploaded files (publish::media).
# Every limit-* message takes $platform; the other arguments follow Problem::args.

limit-not_publishable = Humas cannot publish to { $platform } yet. Remove this channel from the post.
limit-too_long = The text is too long for { $platform }: { $used } of at most { $limit } { $unit ->
        [weighted_characters] characters (emoji and non-Latin letters count 2, every link 23)
        [bytes] bytes
        [utf16_units] characters (emoji count 2)
       *[other] characters
    }. Shorten it.
limit-too_many_hashtags = { $platform } allows at most { $limit } hashtags in a post; this text has { $used }. Remove some.
limit-too_many_mentions = { $platform } allows at most { $limit } @mentions in a post; this text has { $used }. Remove some.
limit-empty_post = The { $platform } post is empty. Write a text or attach a photo or video.
limit-media_required = { $platform } needs at least one photo or video. Attach one.
limit-too_many_media = { $platform } takes at most { $limit } file(s) of this kind in one post; this post has { $used }. Remove the extra ones.
limit-mixed_media = { $platform } cannot mix a video or GIF with other files in one post. Keep the video (or GIF) alone, or use only photos.
limit-media_type = File { $file } is { $given }, which { $platform } does not accept here. Use one of: { $accepted }.
limit-media_too_large = File { $file } is { $size }; { $platform } accepts at most { $limit } for this kind of file. Compress it or upload a smaller version.
limit-aspect_ratio = Image { $file } is { $width }×{ $height } pixels (ratio { $ratio }:1); { $platform } needs a ratio between { $min }:1 (portrait 4:5) and { $max }:1 (landscape). Crop it.
limit-image_width = Image { $file } is only { $width } pixels wide; { $platform } needs at least { $min }. Use a larger image.
limit-image_downscaled = Image { $file } is { $width } pixels wide; { $platform } will shrink it to { $max } pixels.
limit-video_duration = Video { $file } lasts { $used } seconds; { $platform } accepts { $min } to { $max } seconds. Trim it.
limit-tiktok_title_cut = { $platform } shows only the first { $limit } characters of the first line as a photo post's title (this line has { $used }); the whole text still appears as the description. Put the key message first.
limit-alt_text_missing = Image { $file } has no alt text. Describe it so people using screen readers know what it shows.

chain-empty = An approval chain needs at least one step. Add one.
chain-too_many_steps = An approval chain has at most 10 steps. Merge or remove some.
chain-step_label = Each step needs a name of 1–60 characters, e.g. "Kabid" or "Kepala Dinas".
chain-step_without_approvers = Step "{ $step_label }" has no approvers. Choose at least one person.
chain-duplicate_approver = Step "{ $step_label }" lists the same approver twice. Remove the duplicate.
chain-self_approval = You cannot approve a post you wrote, nor approve it on its author's behalf. Another approver must do it.
chain-already_approved = You have already approved this step. It now waits for the other approvers.
chain-not_an_approver = You are not an approver of step "{ $step_label }". It waits for the people listed there, or their Plt/Plh.
chain-complete = This post is already fully approved.
chain-author_is_only_approver = Step "{ $step_label }" cannot be approved because its only approver (or one of its required approvers) wrote this post. Ask the supervisor to add another approver or a Plt/Plh.

media-unsupported = This file type cannot be published. Upload a JPEG, PNG, WebP or GIF image, or an MP4, MOV or WebM video.
media-corrupt = The file looks damaged or incomplete. Export or download it again and upload the new copy.
media-empty = The file is empty. Choose the file again.

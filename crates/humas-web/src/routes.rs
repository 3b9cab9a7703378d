//! The route registry: every route goes through [`Routes::add`], which records its method and
//! path, so tests can compare the real route list with the authorisation matrix.

use axum::Router;
use axum::routing::MethodRouter;

use crate::AppState;

/// A router that remembers what it was given.
pub struct Routes {
    pub(crate) router: Router<AppState>,
    pub(crate) table: Vec<(String, String)>,
}

impl Routes {
    fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// Registers one method on one path.
    pub(crate) fn add(
        mut self,
        method: &str,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.table.push((method.to_owned(), path.to_owned()));
        self.router = self.router.route(path, handler);
        self
    }
}

/// Every route of the application, in two groups.
pub(crate) struct AllRoutes {
    /// Health, metrics, static files and the bearer-token API: no session is looked up for
    /// them, which saves a database query for every asset a page loads.
    pub(crate) sessionless: Router<AppState>,
    /// The pages: the session is resolved and unsafe methods pass the CSRF guard.
    pub(crate) pages: Router<AppState>,
    /// Both groups as (method, path).
    pub(crate) table: Vec<(String, String)>,
}

/// Every route of the application.
pub(crate) fn all() -> AllRoutes {
    let plain = crate::public_media::routes(crate::webhooks::routes(crate::api::routes(
        crate::assets::routes(crate::ops::routes(Routes::new())),
    )));
    let pages = crate::pages::routes(Routes::new());
    let mut table = plain.table;
    table.extend(pages.table);
    AllRoutes {
        sessionless: plain.router,
        pages: pages.router,
        table,
    }
}

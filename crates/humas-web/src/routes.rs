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

/// Every route of the application.
pub(crate) fn all() -> Routes {
    let r = Routes::new();
    let r = crate::ops::routes(r);
    let r = crate::assets::routes(r);
    let r = crate::pages::routes(r);
    crate::api::routes(r)
}

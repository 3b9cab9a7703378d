//! `GET /media/{id}/{token}`: a post's image or video at an unguessable address, for platforms
//! that fetch media themselves (Instagram containers, TikTok `PULL_FROM_URL`). The token is a
//! keyed hash of the id (`App::public_media_token`), so it opens one file and nothing else; a
//! wrong token and an unknown file get the same 404.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use humas_domain::MediaId;

use crate::AppState;
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/media/{id}/{token}", get(serve))
}

async fn serve(
    State(state): State<AppState>,
    Path((id, token)): Path<(String, String)>,
) -> Response {
    let Ok(id) = id.parse::<MediaId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.app.public_media(&state.media, id, &token).await {
        Ok((asset, bytes)) => {
            let mut resp = bytes.into_response();
            let headers = resp.headers_mut();
            if let Ok(mime) = HeaderValue::from_str(&asset.mime) {
                headers.insert(header::CONTENT_TYPE, mime);
            }
            // The address is a capability: caches may keep it, but only for the one who asked.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            );
            resp
        }
        Err(humas_app::AppError::NotFound(_)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => crate::error::Failure::from(e).into_response(),
    }
}

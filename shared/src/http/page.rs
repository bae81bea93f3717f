//! Lists: `{"data": [...], "next_cursor": "..." | null}` with `?limit=` 1..=100 (default 50)
//! and an opaque `?cursor=` from the previous page.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, FieldError};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1 to 100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<u32, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::invalid(vec![FieldError::new("limit", "must be between 1 and 100")])),
        }
    }

    /// The decoded cursor: whatever position the list encoded in it.
    pub fn position<T: for<'de> Deserialize<'de>>(&self) -> Result<Option<T>, ApiError> {
        let Some(cursor) = &self.cursor else { return Ok(None) };
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .map(Some)
            .ok_or_else(|| ApiError::invalid(vec![FieldError::new("cursor", "is not a cursor this list gave out")]))
    }

    /// One page of a list kept in the order of a position: checks the limit and the cursor, asks
    /// `fetch` for up to `limit + 1` rows after the cursor's position (the extra row only tells
    /// that more exist), and pages them; `position` gives a row's position.
    pub async fn fetch<T, P, E>(
        &self,
        fetch: impl AsyncFnOnce(Option<P>, i64) -> Result<Vec<T>, E>,
        position: impl Fn(&T) -> P,
    ) -> Result<Page<T>, ApiError>
    where
        P: Serialize + for<'de> Deserialize<'de>,
        ApiError: From<E>,
    {
        let limit = self.limit()?;
        let after = self.position()?;
        let rows = fetch(after, i64::from(limit) + 1).await?;
        Ok(Page::from_rows(rows, limit, position))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows (the extra row only tells that more exist);
    /// `position` gives the cursor of a row.
    pub fn from_rows<P: Serialize>(mut rows: Vec<T>, limit: u32, position: impl Fn(&T) -> P) -> Self {
        let limit = limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|row| URL_SAFE_NO_PAD.encode(serde_json::to_vec(&position(row)).expect("serializable")))
        } else {
            None
        };
        Self { data: rows, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_cursors_round_trip() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(page.data, [1, 2]);
        let params = PageParams { limit: Some(2), cursor: page.next_cursor };
        assert_eq!(params.position::<i32>().unwrap(), Some(2));
        assert!(Page::from_rows(vec![1, 2], 2, |n| *n).next_cursor.is_none());
        assert!(PageParams { limit: Some(0), cursor: None }.limit().is_err());
        assert!(PageParams { limit: Some(101), cursor: None }.limit().is_err());
        assert!(PageParams { limit: None, cursor: Some("!!".into()) }.position::<i32>().is_err());
    }
}

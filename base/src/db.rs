//! Columns that hold one word of a closed set (`text` with a CHECK constraint): an enum reads
//! and writes them as text through sqlx, and a stored word the enum does not know fails the
//! read instead of passing as some default.

/// Implements sqlx's `Type`, `Encode` and `Decode` for PostgreSQL `text` on a `Copy` enum,
/// given its `as_str(self) -> &'static str` and the name of its `fn(&str) -> Option<Self>`.
/// With the checked query macros, read such a column as `status AS "status: Status"`.
#[macro_export]
macro_rules! text_column {
    ($ty:ty, $parse:ident) => {
        impl ::sqlx::Type<::sqlx::Postgres> for $ty {
            fn type_info() -> ::sqlx::postgres::PgTypeInfo {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &::sqlx::postgres::PgTypeInfo) -> bool {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::compatible(ty)
            }
        }

        impl ::sqlx::Encode<'_, ::sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut ::sqlx::postgres::PgArgumentBuffer,
            ) -> ::std::result::Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&str as ::sqlx::Encode<'_, ::sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        /// `text[]` of them.
        impl ::sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> ::sqlx::postgres::PgTypeInfo {
                <&str as ::sqlx::postgres::PgHasArrayType>::array_type_info()
            }

            fn array_compatible(ty: &::sqlx::postgres::PgTypeInfo) -> bool {
                <&str as ::sqlx::postgres::PgHasArrayType>::array_compatible(ty)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Postgres> for $ty {
            fn decode(
                value: ::sqlx::postgres::PgValueRef<'r>,
            ) -> ::std::result::Result<Self, ::sqlx::error::BoxDynError> {
                let word = <&str as ::sqlx::Decode<'r, ::sqlx::Postgres>>::decode(value)?;
                <$ty>::$parse(word).ok_or_else(|| format!("unknown {} {word:?}", stringify!($ty)).into())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use sqlx::{Postgres, Type};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Colour {
        Red,
        Blue,
    }

    impl Colour {
        fn as_str(self) -> &'static str {
            match self {
                Self::Red => "red",
                Self::Blue => "blue",
            }
        }

        fn parse(value: &str) -> Option<Self> {
            [Self::Red, Self::Blue].into_iter().find(|c| c.as_str() == value)
        }
    }

    crate::text_column!(Colour, parse);

    #[test]
    fn maps_to_text() {
        assert_eq!(<Colour as Type<Postgres>>::type_info(), <String as Type<Postgres>>::type_info());
        assert!(<Colour as Type<Postgres>>::compatible(&<String as Type<Postgres>>::type_info()));
        assert!(!<Colour as Type<Postgres>>::compatible(&<i64 as Type<Postgres>>::type_info()));
    }

    #[test]
    fn encodes_the_word() {
        let mut buf = sqlx::postgres::PgArgumentBuffer::default();
        let _ = sqlx::Encode::<Postgres>::encode_by_ref(&Colour::Blue, &mut buf).unwrap();
        assert_eq!(&**buf, b"blue");
    }
}

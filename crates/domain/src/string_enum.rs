//! `string_enum!`: a fieldless enum with one stable snake_case text per variant, used
//! wherever a closed set of values is stored or sent as text (statuses, kinds, sorts).
//! It gives `as_str`, `Display`, `FromStr` (error [`UnknownVariant`]), `ALL`, and serde
//! as that text.

/// The text matched none of the variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown value")]
pub struct UnknownVariant;

#[doc(hidden)]
pub mod __private {
    pub use serde;
    #[cfg(feature = "openapi")]
    pub use utoipa;
}

/// The schema `string_enum!` gives every enum (feature `openapi`): exactly the texts it parses.
#[cfg(feature = "openapi")]
pub fn schema_of(texts: &[&'static str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).enum_values(Some(texts.iter().copied())).into()
}

/// With the `openapi` feature, a string enum's schema is a string `enum` of exactly the
/// texts `FromStr` accepts; without it, nothing. The feature is decided here, in the
/// domain, also for the enums other crates declare with [`string_enum!`].
#[cfg(feature = "openapi")]
#[doc(hidden)]
#[macro_export]
macro_rules! __string_enum_schema {
    ($name:ident, [$($text:literal),+]) => {
        impl $crate::string_enum::__private::utoipa::PartialSchema for $name {
            fn schema() -> $crate::string_enum::__private::utoipa::openapi::RefOr<
                $crate::string_enum::__private::utoipa::openapi::schema::Schema,
            > {
                $crate::string_enum::schema_of(&[$($text),+])
            }
        }
        impl $crate::string_enum::__private::utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

#[cfg(not(feature = "openapi"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __string_enum_schema {
    ($name:ident, [$($text:literal),+]) => {};
}

#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $vis:vis $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::string_enum::UnknownVariant;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s { $($text => Ok($name::$variant),)+ _ => Err($crate::string_enum::UnknownVariant) }
            }
        }

        impl $crate::string_enum::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::string_enum::__private::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::string_enum::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::string_enum::__private::serde::Deserializer<'de>,
            {
                use $crate::string_enum::__private::serde::de::Error as _;
                let text = <::std::string::String as $crate::string_enum::__private::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(|_| D::Error::unknown_variant(&text, &[$($text),+]))
            }
        }

        $crate::__string_enum_schema!($name, [$($text),+]);
    };
}

#[cfg(test)]
mod tests {
    crate::string_enum!(
        /// A test enum.
        Colour { Red => "red", DarkBlue => "dark_blue" }
    );

    #[test]
    fn text_round_trips() {
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        assert_eq!("red".parse::<Colour>(), Ok(Colour::Red));
        assert!("Red".parse::<Colour>().is_err());
        assert_eq!(serde_json::to_string(&Colour::DarkBlue).expect("json"), "\"dark_blue\"");
        assert_eq!(serde_json::from_str::<Colour>("\"red\"").expect("json"), Colour::Red);
        let error = serde_json::from_str::<Colour>("\"green\"").expect_err("unknown").to_string();
        assert!(error.contains("unknown variant `green`"), "{error}");
        assert_eq!(Colour::ALL, &[Colour::Red, Colour::DarkBlue]);
    }
}

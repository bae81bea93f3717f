//! Where webhooks may be sent, and the HTTP client that sends them.
//!
//! A tenant names the URL, so the URL must not reach what only this platform can reach: loopback,
//! private networks, link-local (and with it the cloud metadata address 169.254.169.254),
//! carrier-grade NAT, multicast, unspecified and reserved addresses, in IPv4 and IPv6 (an
//! IPv4-mapped IPv6 address is judged as its IPv4 address). The check runs where it cannot be
//! dodged: in the client's resolver, on the addresses the connection is then made to, so a name
//! that resolved to a public address when the endpoint was saved and to a private one now (DNS
//! rebinding) is refused now. An address written in the URL itself is checked before sending, as
//! it is never resolved. Redirects are never followed (a 3xx is a failed attempt), no proxy is
//! used, and every attempt ends within `TIMEOUT`. `WEBHOOK_ALLOW_PRIVATE_TARGETS=true` lifts the
//! address check (tests, single-host installs).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The longest an attempt may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const MAX_URL_LEN: usize = 2000;

/// Why a URL cannot be a webhook target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("must be an absolute http:// or https:// URL of at most 2000 characters, without credentials")]
    Malformed,
    #[error("points at a private, loopback, link-local or otherwise internal address")]
    Private,
}

/// Whether an address is internal to wherever the sender runs.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || first == 0x0064 && v6.segments()[1] == 0xff9b // NAT64 64:ff9b::/96 maps IPv4
                || first == 0x2002 // 6to4 embeds IPv4
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

/// Checks a URL's shape, and its host when it is an address (names are checked when resolved).
pub fn check(url: &str, allow_private: bool) -> Result<Url, Refused> {
    if url.len() > MAX_URL_LEN {
        return Err(Refused::Malformed);
    }
    let parsed = Url::parse(url).map_err(|_| Refused::Malformed)?;
    if !matches!(parsed.scheme(), "http" | "https")
        || !parsed.username().is_empty()
        || parsed.password().is_some()
        || parsed.host().is_none()
    {
        return Err(Refused::Malformed);
    }
    if !allow_private {
        let host = parsed.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let internal = if let Ok(ip) = bare.parse::<IpAddr>() {
            is_internal(ip)
        } else {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        };
        if internal {
            return Err(Refused::Private);
        }
    }
    Ok(parsed)
}

/// The resolver that refuses internal addresses: what the connection is made to is what was
/// checked.
struct GuardedResolver;

#[derive(Debug, thiserror::Error)]
#[error("{0} resolves only to internal addresses, which webhooks may not reach")]
struct InternalOnly(String);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| !is_internal(a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(InternalOnly(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The client webhooks are sent with.
pub fn client(allow_private: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(8)
        .user_agent(concat!("Helpdeskly-Webhooks/", env!("CARGO_PKG_VERSION")));
    let builder = if allow_private { builder } else { builder.dns_resolver(Arc::new(GuardedResolver)) };
    builder.build().expect("the webhook HTTP client")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_checked_for_shape_and_literal_addresses() {
        assert!(check("https://hooks.example.com/x", false).is_ok());
        for malformed in
            ["ftp://x.example", "hooks.example.com", "https://user:pw@x.example/", "http://", "javascript:alert(1)"]
        {
            assert_eq!(check(malformed, false).err(), Some(Refused::Malformed), "{malformed}");
        }
        for private in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost/",
            "http://2130706433/",
        ] {
            assert_eq!(check(private, false).err(), Some(Refused::Private), "{private}");
            assert!(check(private, true).is_ok(), "{private} with the setting");
        }
        assert_eq!(check(&format!("https://x.example/{}", "a".repeat(2000)), false).err(), Some(Refused::Malformed));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_at_connect_time() {
        let err = client(false).get("http://localhost:9/").send().await.unwrap_err();
        let mut chain = Vec::new();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            chain.push(cause.to_string());
            source = cause.source();
        }
        assert!(chain.iter().any(|c| c.contains("internal addresses")), "{chain:?}");
    }
}

//! The help center on one real tenant through an app-api replica in this process:
//!
//! - search over `articles` published articles (half English, half French, a few hundred words
//!   each drawn from a vocabulary skewed toward a few common words), one client then eight:
//!   common words, rare ones, two words, French with and without accents, and words no article
//!   holds (which search again for any word);
//! - a public article page (`/help/{locale}/articles/{slug}`, HTML rendered on the server, a
//!   view counted) against `GET /health`, at the same concurrency, in alternating rounds.

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::Value;
use sqlx::ConnectOptions as _;
use uuid::Uuid;

use crate::platform::Platform;
use crate::stats::summarize;

const ROUNDS: usize = 3;

/// Words of the trade, most common first, in each language.
const ENGLISH: &[&str] = &[
    "order",
    "parcel",
    "delivery",
    "refund",
    "return",
    "account",
    "payment",
    "invoice",
    "warranty",
    "password",
    "kettle",
    "toaster",
    "shipping",
    "tracking",
    "exchange",
    "damaged",
    "missing",
    "subscription",
    "coupon",
    "battery",
];
const FRENCH: &[&str] = &[
    "commande",
    "colis",
    "livraison",
    "remboursement",
    "retour",
    "compte",
    "paiement",
    "facture",
    "garantie",
    "mot de passe",
    "bouilloire",
    "grille-pain",
    "expédition",
    "suivi",
    "échange",
    "endommagé",
    "manquant",
    "abonnement",
    "réduction",
    "batterie",
];
const SYLLABLES: &[&str] = &["ka", "lo", "mi", "ne", "ru", "ta", "ve", "so", "pi", "du", "ra", "fe", "zo", "li", "ba"];

/// A made-up word of two to four syllables (the vocabulary's long tail).
fn filler(rng: &mut StdRng) -> String {
    (0..rng.gen_range(2..=4)).map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())]).collect()
}

/// A word of `vocabulary`, the first ones far more often (and a made-up word most of the time).
fn word(rng: &mut StdRng, vocabulary: &[&str]) -> String {
    if rng.gen_bool(0.75) {
        return filler(rng);
    }
    // Three draws, the smallest kept: the first words of the list come far more often.
    let rank = (0..3).map(|_| rng.gen_range(0..vocabulary.len())).min().unwrap_or(0);
    vocabulary[rank].to_owned()
}

fn sentence(rng: &mut StdRng, vocabulary: &[&str], words: usize) -> String {
    let mut text = (0..words).map(|_| word(rng, vocabulary)).collect::<Vec<_>>().join(" ");
    text.push('.');
    text
}

pub async fn run(articles: usize, searches: usize, pages: usize) {
    let platform = Platform::start_logging_at("error").await;
    let (slug, _token) = platform.tenants_with_tokens(1).await.remove(0);
    let replica = crate::app::replica(&platform, 20, 10).await;
    let (_, options) = platform.tenant_admin_options(&slug).await;
    let mut admin = options.connect().await.expect("the tenant database");
    let slugs = seed(&mut admin, articles).await;
    // What autovacuum does to a live database (the test server runs without it): hint bits set
    // and the visibility map made, so that the first searches do not pay for the seeding.
    sqlx::query("VACUUM ANALYZE help_articles").execute(&mut admin).await.unwrap();
    println!("help center: {articles} published articles (half English, half French)");

    let client = reqwest::Client::new();
    let get = |path: &str| client.get(replica.server.url(path)).header("x-tenant-slug", &slug);
    let queries: Vec<(&str, &str)> = vec![
        ("a common word", "q=refund"),
        ("a rare word", "q=battery"),
        ("two words", "q=damaged%20parcel"),
        ("French, accents folded", "q=rembourse&locale=fr"),
        ("French, two words", "q=colis%20endommag%C3%A9"),
        ("no article holds it", "q=xylophone%20zebra"),
    ];
    // Warm up: plans, caches, the pool.
    for (_, query) in &queries {
        let found: Value = get(&format!("/v1/kb/search?{query}")).send().await.unwrap().json().await.unwrap();
        assert!(found["data"].is_array(), "{found}");
    }
    for clients in [1, 8] {
        println!("  search, {clients} client(s), {searches} searches each:");
        for (name, query) in &queries {
            let path = format!("/v1/kb/search?{query}");
            let (rate, times) = crate::app::drive(&vec![(); searches], clients, |()| get(&path)).await;
            println!("    {name:<24} {rate:>6.0}/s  {}", summarize(times));
        }
    }

    let (mut page_rates, mut health_rates) = (Vec::new(), Vec::new());
    let (mut page_times, mut health_times) = (Vec::new(), Vec::new());
    let picks: Vec<usize> = {
        let mut rng = StdRng::seed_from_u64(7);
        (0..pages).map(|_| rng.gen_range(0..slugs.len())).collect()
    };
    for round in 0..ROUNDS {
        let (rate, times) = crate::app::drive(&picks, 8, |i| get(&slugs[i])).await;
        page_rates.push(rate);
        page_times.extend(times);
        let (rate, times) = crate::app::drive(&picks, 8, |_| get("/health")).await;
        health_rates.push(rate);
        health_times.extend(times);
        println!(
            "  round {}: article page {:.0}/s, /health {:.0}/s",
            round + 1,
            page_rates[round],
            health_rates[round]
        );
    }
    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    let (page, health) = (mean(&page_rates), mean(&health_rates));
    println!("  public article page (8 clients): {page:.0}/s, {}", summarize(page_times));
    println!("  GET /health (8 clients):         {health:.0}/s, {}", summarize(health_times));
    println!("  ratio: {:.2}", page / health);
    let views: i64 = sqlx::query_scalar("SELECT COALESCE(sum(views), 0)::bigint FROM help_article_days")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(usize::try_from(views).unwrap(), pages * ROUNDS, "every page read counted a view");
}

/// `count` published articles, half in each language; their pages' paths.
async fn seed(admin: &mut sqlx::PgConnection, count: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(42);
    let mut paths = Vec::with_capacity(count);
    for batch in (0..count).collect::<Vec<_>>().chunks(1000) {
        let (mut ids, mut locales, mut slugs, mut titles, mut bodies, mut htmls, mut descriptions) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for &n in batch {
            let (locale, vocabulary) = if n % 2 == 0 { ("en", ENGLISH) } else { ("fr", FRENCH) };
            let title = format!("{} {}", sentence(&mut rng, vocabulary, 4).trim_end_matches('.'), n);
            let paragraphs: Vec<String> =
                (0..rng.gen_range(3..=8)).map(|_| sentence(&mut rng, vocabulary, 40)).collect();
            let text = paragraphs.join("\n");
            let html = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect::<Vec<_>>().join("\n");
            let slug = format!("article-{n}");
            paths.push(format!("/help/{locale}/articles/{slug}"));
            ids.push(Uuid::now_v7());
            locales.push(locale);
            slugs.push(slug);
            titles.push(title);
            descriptions.push(text.chars().take(150).collect::<String>());
            htmls.push(html);
            bodies.push(text);
        }
        sqlx::query(
            "INSERT INTO help_articles (id, family, locale, slug, title, description, body, body_html, body_text,
                                        status, published_at)
             SELECT id, id, locale, slug, title, description, body, html, body, 'published', now()
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                    AS a(id, locale, slug, title, description, body, html)",
        )
        .bind(&ids)
        .bind(&locales)
        .bind(&slugs)
        .bind(&titles)
        .bind(&descriptions)
        .bind(&bodies)
        .bind(&htmls)
        .execute(&mut *admin)
        .await
        .expect("the articles");
    }
    paths
}

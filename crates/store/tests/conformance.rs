//! The storage conformance suite: the domain's services over the real store, once on
//! SQLite and once on PostgreSQL.

use domain::events::NullBus;
use domain::ids::*;
use domain::policy::Principal;
use domain::ports::{PostPage, SystemClock};
use domain::services::accounts::NewAccount;
use domain::services::channels::ChannelInput;
use domain::services::posts::{PostInput, PostPatch};
use domain::services::search::SearchRequest;
use domain::services::teams::TeamInput;
use domain::settings::Settings;
use domain::{App, ErrorCode};
use std::sync::Arc;
use store::backend_test;
use store::testing::TestDb;

fn app(db: &TestDb) -> App {
    let dir = std::env::temp_dir().join(format!("conclave-blobs-{}", new_id()));
    App::new(Arc::new(db.store.clone()), Arc::new(store::LocalBlobs::new(dir)), Arc::new(NullBus), Arc::new(SystemClock), Settings::for_tests())
}

async fn user(app: &App, name: &str) -> Principal {
    let input = NewAccount {
        username: name.into(),
        email: format!("{name}@{name}-org.example"),
        password: "correct horse battery".into(),
        ..Default::default()
    };
    app.create_account(None, input, false).await.unwrap();
    let login = app.login(name, "correct horse battery", "").await.unwrap();
    app.authenticate(&login.token).await.unwrap().0
}

/// The team every test works in, created by `who`.
async fn isac(app: &App, who: &Principal) -> domain::model::Team {
    let input = TeamInput {
        name: "isac".into(),
        display_name: "ISAC".into(),
        description: String::new(),
        team_type: "O".into(),
        allow_open_invite: true,
        email: String::new(),
        default_tlp: None,
    };
    app.create_team(Some(who), input).await.unwrap()
}

async fn channel(
    app: &App,
    who: &Principal,
    team: &domain::model::Team,
    name: &str,
    display_name: &str,
    channel_type: &str,
) -> domain::model::Channel {
    let input = ChannelInput {
        team_id: team.id.clone(),
        name: name.into(),
        display_name: display_name.into(),
        channel_type: channel_type.into(),
        purpose: String::new(),
        header: String::new(),
        tlp: None,
    };
    app.create_channel(who, input).await.unwrap()
}

async fn post(app: &App, who: &Principal, channel: &ChannelId, message: &str) -> domain::model::Post {
    let input = PostInput {
        channel_id: channel.clone(),
        message: message.into(),
        root_id: None,
        file_ids: vec![],
        props: None,
        pending_post_id: String::new(),
    };
    app.create_post(who, input).await.unwrap().0
}

backend_test!(accounts_and_sessions, |db| {
    let app = app(db);
    let alice = user(&app, "alice").await;
    assert!(alice.system_admin, "the first account administers the server");
    let bob = user(&app, "bob").await;
    assert!(!bob.system_admin);
    let err = app.login("bob", "wrong password!!", "").await.err().unwrap();
    assert_eq!(err.code, ErrorCode::InvalidCredentials);
    let u = app.user(&alice, &bob.user_id).await.unwrap();
    assert_eq!(u.org_name, "bob-org.example");
    app.set_active(Some(&alice), &bob.user_id, false).await.unwrap();
    assert_eq!(app.login("bob", "correct horse battery", "").await.err().unwrap().code, ErrorCode::AccountDeactivated);
});

backend_test!(posting_paging_and_idempotency, |db| {
    let app = app(db);
    let alice = user(&app, "alice").await;
    let team = isac(&app, &alice).await;
    let ch = channel(&app, &alice, &team, "war-room", "War room", "P").await;
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(post(&app, &alice, &ch.id, &format!("message {i}")).await.id);
    }
    let page = app.channel_posts(&alice, &ch.id, PostPage::Latest { page: 0, per_page: 10 }).await.unwrap();
    assert_eq!(page.order.len(), 10);
    assert_eq!(page.order[0], ids[24]);
    assert_eq!(page.prev_post_id, ids[14].to_string());
    let before = app.channel_posts(&alice, &ch.id, PostPage::Before { post: ids[14].clone(), page: 0, per_page: 5 }).await.unwrap();
    assert_eq!(before.order, ids[9..14].iter().rev().cloned().collect::<Vec<_>>());
    let after = app.channel_posts(&alice, &ch.id, PostPage::After { post: ids[20].clone(), page: 0, per_page: 10 }).await.unwrap();
    assert_eq!(after.order, ids[21..25].iter().rev().cloned().collect::<Vec<_>>());

    let input = PostInput {
        channel_id: ch.id.clone(),
        message: "retry me".into(),
        root_id: None,
        file_ids: vec![],
        props: None,
        pending_post_id: format!("{}:1", alice.user_id),
    };
    let (first, replayed1) = app.create_post(&alice, input.clone()).await.unwrap();
    let (second, replayed2) = app.create_post(&alice, input).await.unwrap();
    assert!(!replayed1 && replayed2);
    assert_eq!(first.id, second.id);

    let reply = PostInput {
        channel_id: ch.id.clone(),
        message: "a reply".into(),
        root_id: Some(first.id.clone()),
        file_ids: vec![],
        props: None,
        pending_post_id: String::new(),
    };
    app.create_post(&alice, reply).await.unwrap();
    let thread = app.thread(&alice, &first.id).await.unwrap();
    assert_eq!(thread.order.len(), 2);
    assert_eq!(thread.posts[&first.id].reply_count, 1);
});

backend_test!(outsiders_are_refused, |db| {
    let app = app(db);
    let alice = user(&app, "alice").await;
    let mallory = user(&app, "mallory").await;
    let team = isac(&app, &alice).await;
    app.add_team_member(Some(&mallory), &team.id, &mallory.user_id).await.unwrap();
    let ch = channel(&app, &alice, &team, "secret", "Secret", "P").await;
    let p = post(&app, &alice, &ch.id, "the C2 is 45.137.21.9").await;
    assert_eq!(app.post(&mallory, &p.id).await.err().unwrap().code, ErrorCode::NotFound);
    assert!(app.channel_posts(&mallory, &ch.id, PostPage::Latest { page: 0, per_page: 60 }).await.is_err());
    assert!(app.thread(&mallory, &p.id).await.is_err());
    assert!(app.search_posts(&mallory, &SearchRequest { terms: "45.137.21.9".into(), per_page: 60, ..Default::default() }).await.unwrap().is_empty());
    assert_eq!(app.search_posts(&alice, &SearchRequest { terms: "45.137.21.9".into(), per_page: 60, ..Default::default() }).await.unwrap().len(), 1);
});

backend_test!(search_words_tokens_and_filters, |db| {
    let app = app(db);
    let alice = user(&app, "alice").await;
    let team = isac(&app, &alice).await;
    let town = app.channel_by_name(&alice, &team.id, "town-square").await.unwrap();
    post(&app, &alice, &town.id, "Ransomware beacon seen at 45[.]137[.]21[.]9 overnight").await;
    post(&app, &alice, &town.id, "nothing to see at 45.137.21.90").await;
    post(&app, &alice, &town.id, "hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 dropped").await;
    let hits = |q: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move { app.search_posts(&alice, &SearchRequest { terms: q.into(), per_page: 60, ..Default::default() }).await.unwrap().len() }
    };
    assert_eq!(hits("45.137.21.9").await, 1);
    assert_eq!(hits("ransomware").await, 1);
    assert_eq!(hits("ransom*").await, 1);
    assert_eq!(hits("\"beacon seen\"").await, 1);
    assert_eq!(hits("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855").await, 1);
    assert_eq!(hits("from:alice seen").await, 1);
    assert_eq!(hits("in:town-square overnight").await, 1);
    assert_eq!(hits("overnight -ransomware").await, 0);
    assert_eq!(hits("from:nobody seen").await, 0);
});

backend_test!(unread_and_mentions, |db| {
    let app = app(db);
    let alice = user(&app, "alice").await;
    let bob = user(&app, "bob").await;
    let team = isac(&app, &alice).await;
    app.add_team_member(Some(&alice), &team.id, &bob.user_id).await.unwrap();
    let town = app.channel_by_name(&alice, &team.id, "town-square").await.unwrap();
    let hello = post(&app, &alice, &town.id, "hello @bob").await;
    let another = post(&app, &alice, &town.id, "another").await;
    let unread = app.channel_unread(&bob, &bob.user_id, &town.id).await.unwrap();
    assert_eq!(unread.channel.total_msg_count - unread.member.msg_count, 2);
    assert_eq!(unread.member.mention_count, 1);
    let mine = app.channel_unread(&alice, &alice.user_id, &town.id).await.unwrap();
    assert_eq!(mine.channel.total_msg_count - mine.member.msg_count, 0);
    app.view_channel(&bob, Some(&town.id), None).await.unwrap();
    let unread = app.channel_unread(&bob, &bob.user_id, &town.id).await.unwrap();
    assert_eq!((unread.channel.total_msg_count - unread.member.msg_count, unread.member.mention_count), (0, 0));
    // "Mark as Unread" from the first post recounts exactly what posting had counted.
    let marked = app.mark_unread_from_post(&bob, &bob.user_id, &hello.id).await.unwrap();
    assert_eq!(marked.member.last_viewed_at, hello.create_at - 1);
    let unread = app.channel_unread(&bob, &bob.user_id, &town.id).await.unwrap();
    assert_eq!((unread.channel.total_msg_count - unread.member.msg_count, unread.member.mention_count), (2, 1));
    let around = app.posts_around_last_unread(&bob, &bob.user_id, &town.id, 10, 10).await.unwrap();
    assert_eq!(around.order.first(), Some(&another.id));
    assert!(around.order.contains(&hello.id));
    let dm = app.direct_channel(&alice, &[alice.user_id.clone(), bob.user_id.clone()]).await.unwrap();
    let again = app.direct_channel(&bob, &[bob.user_id.clone(), alice.user_id.clone()]).await.unwrap();
    assert_eq!(dm.id, again.id);
    post(&app, &alice, &dm.id, "psst").await;
    assert_eq!(app.channel_unread(&bob, &bob.user_id, &dm.id).await.unwrap().member.mention_count, 1);
});

// On SQLite a group's captures are written together just before the group commits; posts
// arriving together, with an edit and a delete among them, must each keep exactly their own.
backend_test!(captures_stay_with_their_posts_when_posted_together, |db| {
    let app = app(db);
    let alice = user(&app, "alice").await;
    let team = isac(&app, &alice).await;
    let ch = channel(&app, &alice, &team, "war-room", "War room", "O").await;
    app.admin_set_channel_intel("isac", "war-room", None, Some(domain::model::IntelMode::Review)).await.unwrap();
    let edited = post(&app, &alice, &ch.id, "first guess: beacon to 203.0.113.250 via old-c2-host.xyz").await;
    let deleted = post(&app, &alice, &ch.id, "typo: wrong-c2-host.xyz").await;
    let burst = (0..30).map(|i| {
        let (app, alice, ch) = (&app, &alice, &ch.id);
        async move { post(app, alice, ch, &format!("beacon from 45.33.{i}.7 to shared-c2-host.xyz and stage{i}-c2-host.xyz")).await }
    });
    let patch = PostPatch { message: Some("correction: beacon via old-c2-host.xyz only".into()), is_pinned: None, props: None };
    let (posts, edit, delete) = futures_util::future::join3(
        futures_util::future::join_all(burst),
        app.patch_post(&alice, &edited.id, patch),
        app.delete_post(&alice, &deleted.id),
    )
    .await;
    assert_eq!(posts.len(), 30);
    edit.unwrap();
    delete.unwrap();
    let found = app.channel_indicators(&alice, &ch.id, 0, 500).await.unwrap();
    let count = |value: &str| found.iter().find(|v| v.indicator.value == value).map(|v| v.sightings);
    assert_eq!(count("shared-c2-host.xyz"), Some(30));
    for i in 0..30 {
        assert_eq!(count(&format!("45.33.{i}.7")), Some(1), "45.33.{i}.7");
        assert_eq!(count(&format!("stage{i}-c2-host.xyz")), Some(1));
    }
    assert_eq!(count("old-c2-host.xyz"), Some(1), "the edit keeps what it still carries");
    assert_eq!(count("203.0.113.250"), None, "the edit retracts what it dropped");
    assert_eq!(count("wrong-c2-host.xyz"), None, "the delete retracts its sightings");
    assert_eq!(found.len(), 62, "1 shared, 30 addresses, 30 stage domains and the edited post's domain");
});

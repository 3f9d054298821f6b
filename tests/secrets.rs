//! Secrets: passwords never appear in strata's output; the password lookup
//! (URL, `?password=`, PGPASSWORD, passfile) is real.

mod support;

use support::cluster::PrivateCluster;

#[test]
fn private_cluster_requires_the_password() {
    let cluster = PrivateCluster::start("scram-sha-256");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ok = tokio_postgres::connect(&cluster.admin_url(), tokio_postgres::NoTls).await;
        assert!(ok.is_ok(), "admin URL must connect: {:?}", ok.err());
        let bad = tokio_postgres::connect(
            &cluster.url("postgres", Some("wrong"), "postgres"),
            tokio_postgres::NoTls,
        )
        .await;
        assert!(bad.is_err(), "a wrong password must be refused");
        let none = tokio_postgres::connect(
            &cluster.url("postgres", None, "postgres"),
            tokio_postgres::NoTls,
        )
        .await;
        assert!(none.is_err(), "no password must be refused");
    });
    cluster.restart();
    cluster.stop_immediate();
    cluster.start_again();
    assert_eq!(cluster.psql("postgres", "select 1").unwrap().trim(), "1");
}

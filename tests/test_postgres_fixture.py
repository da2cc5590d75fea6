import sqlalchemy as sa


def test_postgres_server_is_real_and_writable(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("create table t (x int)"))
        conn.execute(sa.text("insert into t values (41), (1)"))
        assert conn.execute(sa.text("select sum(x) from t")).scalar() == 42
        assert "PostgreSQL" in conn.execute(sa.text("select version()")).scalar()
    engine.dispose()

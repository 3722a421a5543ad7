"""Pages over HTTP, as their users get them from gunicorn on loopback (wall time of the whole
request, body read), each with its floor: one hand-written SQL query returning what the page shows.

- leaderboard page (50 rows) as the manager, and the full exports (CSV, XLSX);
- the reviewer's queue at stage 1 and the review form (different reviewers and assignments);
- the founder's dashboard and application page (different founders)."""
from __future__ import annotations

from sqlalchemy import bindparam, text

from bench.scenarios.common import Client, Context, floor_ms, repeat_ms, result, server_timing, session_cookies

PICK = 15  # distinct users per page: each repetition is someone else


def leaderboard_sql(ctx: Context, limit: str = "LIMIT 50") -> str:
    """The mean of the stored review totals (each review's weighted mean, kept on the row) per
    application at stage 1, best first, with the startup's facts: the least a leaderboard must read."""
    return ("SELECT a.application_id, s.name, s.sector, s.region, ap.status, AVG(r.total) AS score, COUNT(*) AS n "
            "FROM reviews r JOIN assignments a ON a.id = r.assignment_id "
            "JOIN applications ap ON ap.id = a.application_id JOIN startups s ON s.id = ap.startup_id "
            "WHERE a.stage_id = :stage AND a.status = 'active' AND r.status = 'submitted' "
            f"GROUP BY a.application_id, s.name, s.sector, s.region, ap.status ORDER BY score DESC, a.application_id "
            f"{limit}")


def _get(client: Client, path: str, errors: list, timings: list) -> None:
    response = client.get(path)
    timings.append(server_timing(response))
    if response.status_code != 200:
        errors.append(f"{path}: {response.status_code}")


def _server(row: dict) -> float:
    """The server's wall time (p50) when known, else the client's."""
    return (row.get("server_app") or {}).get("median") or row["median"]


def _warm(clients: list[Client], paths: list[str]) -> None:
    for client, path in zip(clients[:2] * 2, paths[:2] * 2, strict=False):  # both gunicorn workers, twice
        client.get(path)


def _http(ctx: Context, name: str, clients: list[Client], paths: list[str], *, slow: bool = False,
          floor: dict | None = None, target: str, check) -> dict:
    errors: list[str] = []
    timings: list[dict] = []
    _warm(clients, paths)
    times = ctx.repeat_slow if slow else ctx.repeat
    samples = repeat_ms(lambda i: _get(clients[i % len(clients)], paths[i % len(paths)], errors, timings), times,
                        ctx.budget)
    row = result(name, samples, floor=floor, target=target, notes="; ".join(errors[:3]), errors=len(errors),
                 server=timings)
    row["met"] = check(row) if not errors else False
    return row


def run(ctx: Context) -> list[dict]:
    ids, base = ctx.ids, ctx.base_url
    stage = ids["stage_ids"][0]
    rows = []

    manager = Client(base, session_cookies(ctx, [ids["manager_id"]])[ids["manager_id"]])
    board_floor = floor_ms(ctx, leaderboard_sql(ctx), lambda i: {"stage": stage})
    rows.append(_http(ctx, "leaderboard page (50 rows)", [manager], [f"/manage/stages/{stage}/leaderboard"],
                      floor=board_floor, target="p50 <= 2x floor",
                      check=lambda r: r.get("ratio") is not None and r["ratio"] <= 2))
    export_floor = floor_ms(ctx, leaderboard_sql(ctx, ""), lambda i: {"stage": stage}, ctx.repeat_slow)
    for fmt in ("csv", "xlsx"):
        rows.append(_http(ctx, f"leaderboard export {fmt.upper()}", [manager],
                          [f"/manage/stages/{stage}/leaderboard.{fmt}"], slow=True, floor=export_floor,
                          target="<= 5 s", check=lambda r: _server(r) <= 5000))

    # Reviewers spread over the pool (private and public e-mail domains), each on their own assignments.
    pool = ids["reviewer_ids"]
    reviewers = [pool[(k * len(pool)) // PICK] for k in range(PICK)]
    with ctx.engine.connect() as conn:
        firsts = dict(conn.execute(text(
            "SELECT reviewer_id, MIN(id) FROM assignments WHERE stage_id = :stage AND status = 'active' "
            "AND reviewer_id IN :ids GROUP BY reviewer_id").bindparams(bindparam("ids", expanding=True)),
            {"stage": stage, "ids": reviewers}).all())
    reviewers = [r for r in reviewers if r in firsts]
    cookies = session_cookies(ctx, reviewers)
    clients = [Client(base, cookies[r]) for r in reviewers]
    queue_floor = floor_ms(ctx, (
        "SELECT a.id, a.application_id, s.name, rv.status FROM assignments a "
        "JOIN applications ap ON ap.id = a.application_id JOIN startups s ON s.id = ap.startup_id "
        "LEFT JOIN reviews rv ON rv.assignment_id = a.id WHERE a.reviewer_id = :rid AND a.stage_id = :stage "
        "AND a.status = 'active' ORDER BY a.id LIMIT 50"), lambda i: {"rid": reviewers[i % len(reviewers)],
                                                                    "stage": stage})
    rows.append(_http(ctx, "reviewer queue (stage 1)", clients, [f"/review/stages/{stage}"] * len(clients),
                      floor=queue_floor, target="p50 <= 50 ms", check=lambda r: _server(r) <= 50))
    form_floor = floor_ms(ctx, (
        "SELECT q.key, q.label, an.value, rv.scores, rv.feedback FROM assignments a "
        "JOIN answers an ON an.application_id = a.application_id JOIN questions q ON q.id = an.question_id "
        "LEFT JOIN reviews rv ON rv.assignment_id = a.id WHERE a.id = :aid ORDER BY q.position"),
        lambda i: {"aid": firsts[reviewers[i % len(reviewers)]]})
    rows.append(_http(ctx, "review form", clients, [f"/review/assignments/{firsts[r]}" for r in reviewers],
                      floor=form_floor, target="p50 <= 50 ms", check=lambda r: _server(r) <= 50))

    # Founders spread over the season, with a submitted application (some have a storm draft too).
    with ctx.engine.connect() as conn:
        apps = conn.execute(text(
            "SELECT s.owner_id, ap.id FROM applications ap JOIN startups s ON s.id = ap.startup_id "
            "WHERE ap.season_id = :season AND ap.status != 'draft' ORDER BY ap.id"),
            {"season": ids["season_id"]}).all()
    chosen = [apps[(k * len(apps)) // PICK] for k in range(PICK)]
    cookies = session_cookies(ctx, [owner for owner, _ in chosen])
    clients = [Client(base, cookies[owner]) for owner, _ in chosen]
    dash_floor = floor_ms(ctx, (
        "SELECT ap.id, ap.status, s.name, se.name FROM applications ap JOIN startups s ON s.id = ap.startup_id "
        "JOIN seasons se ON se.id = ap.season_id WHERE s.owner_id = :uid ORDER BY ap.id DESC"),
        lambda i: {"uid": chosen[i % len(chosen)][0]})
    rows.append(_http(ctx, "founder dashboard", clients, ["/my/"] * len(clients), floor=dash_floor,
                      target="p50 <= 50 ms", check=lambda r: _server(r) <= 50))
    page_floor = floor_ms(ctx, (
        "SELECT q.key, q.label, an.value FROM answers an JOIN questions q ON q.id = an.question_id "
        "WHERE an.application_id = :app ORDER BY q.position"), lambda i: {"app": chosen[i % len(chosen)][1]})
    rows.append(_http(ctx, "founder application page", clients, [f"/my/applications/{a}" for _, a in chosen],
                      floor=page_floor, target="p50 <= 50 ms", check=lambda r: _server(r) <= 50))
    for row in rows:
        if row.get("errors"):
            ctx.notes.append(f"{row['scenario']}: {row['errors']} non-200 answers ({row['notes']})")
    return rows

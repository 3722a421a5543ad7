"""What every scenario shares: the context of a run, repeated timings, floors, and an HTTP client."""
from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field

import requests
from sqlalchemy import bindparam, create_engine, text

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TIMING = re.compile(r"(app|cpu);dur=([0-9.]+)")


def server_timing(response) -> dict[str, float]:
    """{"app": wall ms, "cpu": CPU ms} from the Server-Timing header bench/wsgi_timed.py adds."""
    return {k: float(v) for k, v in TIMING.findall(response.headers.get("Server-Timing", ""))}


@dataclass
class Context:
    """One scale of a run: the dataset's ids, the database, the server, and the settings."""

    ids: dict
    database_url: str
    app: object                       # the Flask app of the bench process (same config as the server)
    workdir: object                   # pathlib.Path for logs
    env: dict                         # the environment the server and workers get
    repeat: int = 15
    repeat_slow: int = 5
    budget: float = 90.0              # seconds at most per scenario's repetitions
    base_url: str = ""
    postgres: bool = False
    notes: list[str] = field(default_factory=list)
    _engine: object = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        return self._engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def summary(samples: list[float]) -> dict:
    """median, p95 (nearest rank), spread (the interquartile range), min, max, n. In the samples' unit."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    n = len(ordered)

    def rank(p: float) -> float:
        return ordered[min(n - 1, max(0, int(round(p * n + 0.5)) - 1))]

    q1, q3 = (statistics.quantiles(ordered, n=4)[0], statistics.quantiles(ordered, n=4)[2]) if n > 1 else (
        ordered[0], ordered[0])
    return {"n": n, "median": statistics.median(ordered), "p95": rank(0.95), "spread": q3 - q1,
            "min": ordered[0], "max": ordered[-1]}


def repeat_ms(fn, times: int, budget: float) -> list[float]:
    """Call fn() up to `times` times (fewer if `budget` seconds run out); the wall times in ms."""
    samples, started = [], time.monotonic()
    for i in range(times):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
        if time.monotonic() - started > budget:
            break
    return samples


def floor_ms(ctx: Context, sql: str, params_for, times: int | None = None) -> dict:
    """One hand-written SQL query on the same database, fetched whole; median over the repetitions."""
    stmt = text(sql)
    with ctx.engine.connect() as conn:
        conn.execute(stmt, params_for(0)).all()  # warm the cache, as the server's first request was
        samples = repeat_ms(lambda i: conn.execute(stmt, params_for(i)).all(), times or ctx.repeat, ctx.budget)
    return summary(samples)


def result(name: str, samples: list[float] | None = None, *, floor: dict | None = None, target: str = "",
           met: bool | None = None, unit: str = "ms", figure: str | None = None, notes: str = "",
           server: list[dict] | None = None, **extra) -> dict:
    """One row of the table. `server`: the Server-Timing of each answer; then the ratio to the floor is
    taken on the server's wall time (what the server spent), else on the client's."""
    row = {"scenario": name, "unit": unit, "target": target, "met": met, "notes": notes, **extra}
    if samples is not None:
        row.update(summary(samples))
        row["samples"] = [round(s, 2) for s in samples]
    if server:
        for key in ("app", "cpu"):
            values = [t[key] for t in server if key in t]
            if values:
                row[f"server_{key}"] = summary(values)
    if floor:
        row["floor"] = floor.get("median")
        basis = (row.get("server_app") or {}).get("median") or row.get("median")
        if basis and row["floor"]:
            row["ratio"] = basis / row["floor"]
    if figure is not None:
        row["figure"] = figure
    return row


class Client:
    """A requests session with one user's session cookie (forged with the server's SECRET_KEY: no
    argon2 login per user), following no redirects; keeps the cookie the server sends back."""

    def __init__(self, base_url: str, cookie: str | None = None):
        self.base_url = base_url
        self.http = requests.Session()
        self.cookie = cookie

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        response = self.http.request(method, self.base_url + path, headers=headers, allow_redirects=False,
                                     timeout=kwargs.pop("timeout", 120), **kwargs)
        if "session" in response.cookies:
            self.cookie = response.cookies["session"]
        self.http.cookies.clear()
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def csrf(self, path: str) -> tuple[str | None, requests.Response]:
        response = self.get(path)
        found = CSRF.search(response.text)
        return (found.group(1) if found else None), response


def session_cookies(ctx: Context, user_ids: list[int]) -> dict[int, str]:
    """A logged-in session cookie per user, as Flask-Login writes it, signed with the app's key."""
    from flask.sessions import SecureCookieSessionInterface

    with ctx.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, session_token FROM users WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": [int(u) for u in user_ids]}).all()
    serializer = SecureCookieSessionInterface().get_signing_serializer(ctx.app)
    return {uid: serializer.dumps({"_user_id": f"{uid}:{token}", "_fresh": True}) for uid, token in rows}


def login(base_url: str, email: str, password: str) -> tuple[Client, float]:
    """A real login through the form (CSRF, argon2): the client, and the POST's wall time in ms."""
    client = Client(base_url)
    token, _ = client.csrf("/auth/login")
    started = time.perf_counter()
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} answered {response.status_code}")
    return client, elapsed

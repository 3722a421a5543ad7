"""Offers and the waitlist: the promotion chain with a frozen clock (an offer expires -> the best-ranked
waitlisted application is promoted and notified -> it declines -> the next is promoted), a
confirmation after the deadline refused with the deadline named, and every step on the timeline."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from incubator.accounts.models import Role
from incubator.applications.models import ApplicationEvent
from incubator.applications.states import Status
from incubator.notifications.delivery import deliver_notification
from incubator.notifications.models import Notification
from incubator.selection.models import Offer, OfferStatus, WaitlistEntry
from incubator.selection.offers import expire_offers
from tests.integration.test_decisions import in_review, make_season, status_of
from tests.support import factories as f
from tests.support.clock import frozen
from tests.support.factories_fixtures import bearer
from tests.support.smtp import body_text

# A moment an hour ahead of the real clock (tokens issued now stay valid), on the minute.
T0 = (datetime.now(UTC) + timedelta(hours=1)).replace(second=0, microsecond=0)
OFFER_EVENTS = ("decision", "promoted", "offer_made", "offer_confirmed", "offer_declined", "offer_expired")


def offer_of(db, application) -> Offer:
    db.session.expire_all()
    return db.session.scalar(select(Offer).where(Offer.application_id == application.id))


def timeline(db, application) -> list[tuple[str, str | None]]:
    return [(e.kind, e.to_status) for e in db.session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application.id,
                                       ApplicationEvent.kind.in_(OFFER_EVENTS)).order_by(ApplicationEvent.id))]


def notes(db, kind, application=None):
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()
    if application is not None:
        rows = [n for n in rows if n.to_email == application.startup.owner.email]
    return rows


@pytest.fixture
def chain(app, db, client, manager, program, api_token):
    """One seat; A accepted with an offer; B, C, D waitlisted (B best placed). Decided at T0."""
    season, (last,) = make_season(program, stages=1, quota=1, offer_confirmation_days=7)
    apps = in_review(db, season, last, [("A", 5), ("D", 2), ("C", 3), ("B", 4)])
    token = api_token(manager)
    body = {"items": [{"application_id": apps["A"].id, "decision": "advance"}]
            + [{"application_id": apps[n].id, "decision": "waitlist"} for n in ("D", "C", "B")],
            "reason": "Final committee"}
    with frozen(T0):
        response = client.post(f"/api/v1/stages/{last.id}/decisions", json=body, headers=bearer(token))
    assert response.status_code == 200, response.json
    return season, apps


def founder_token(api_token, application):
    return bearer(api_token(application.startup.owner))


def test_waitlisted_applications_keep_their_leaderboard_place(app, db, chain):
    _, apps = chain
    ranks = {e.application_id: e.rank for e in db.session.scalars(select(WaitlistEntry))}
    assert ranks == {apps["B"].id: 2.0, apps["C"].id: 3.0, apps["D"].id: 4.0}
    offer = offer_of(db, apps["A"])
    assert offer.status == OfferStatus.OPEN and offer.deadline_at == T0 + timedelta(days=7)


def test_the_promotion_chain(app, db, client, chain, api_token):
    season, apps = chain
    a, b, c, d = (apps[n] for n in "ABCD")

    # 1. A does not answer: a minute after the deadline the beat expires the offer and B is promoted.
    t1 = T0 + timedelta(days=7, minutes=1)
    with frozen(T0 + timedelta(days=7)):  # exactly at the deadline: still open
        assert expire_offers() == {"expired": 0, "promoted": 0, "skipped": 0}
    with frozen(t1):
        assert expire_offers() == {"expired": 1, "promoted": 1, "skipped": 0}
        assert expire_offers() == {"expired": 0, "promoted": 0, "skipped": 0}  # run twice: nothing more
    assert offer_of(db, a).status == OfferStatus.EXPIRED
    assert status_of(db, a).status == Status.ACCEPTED  # accepted stays final; the seat is the offer's
    (expired_note,) = notes(db, "offer_expired", a)
    assert "has expired" in expired_note.body_text
    b_offer = offer_of(db, b)
    assert (b_offer.status, b_offer.promoted_from_waitlist, b_offer.deadline_at) == (
        OfferStatus.OPEN, True, t1 + timedelta(days=7))
    assert status_of(db, b).status == Status.ACCEPTED
    (promoted_note,) = notes(db, "offer_promoted", b)
    assert "a place opened up" in promoted_note.body_text and f"/my/applications/{b.id}/offer" in promoted_note.body_text
    assert db.session.scalar(select(WaitlistEntry.promoted_at).where(WaitlistEntry.application_id == b.id)) == t1
    assert status_of(db, c).status == status_of(db, d).status == Status.WAITLISTED

    # 2. B declines (API): C, next best, is promoted and told.
    with frozen(t1 + timedelta(days=1)):
        response = client.post(f"/api/v1/applications/{b.id}/offer/decline", json={"reason": "We got funded"},
                               headers=founder_token(api_token, b))
    assert response.status_code == 200 and response.json["status"] == "declined"
    c_offer = offer_of(db, c)
    assert c_offer.status == OfferStatus.OPEN and c_offer.promoted_from_waitlist
    assert len(notes(db, "offer_promoted", c)) == 1
    assert status_of(db, d).status == Status.WAITLISTED

    # 3. C tries to confirm a second after its deadline: refused, the deadline named in the season's zone.
    late = c_offer.deadline_at + timedelta(seconds=1)
    with frozen(late):
        response = client.post(f"/api/v1/applications/{c.id}/offer/confirm", headers=founder_token(api_token, c))
    assert response.status_code == 409
    local = c_offer.deadline_at.astimezone(season.tz)
    assert f"{local:%H:%M} Asia/Tashkent (UTC+05:00)" in response.json["detail"]
    assert "can no longer be confirmed" in response.json["detail"]
    assert offer_of(db, c).status == OfferStatus.OPEN
    with frozen(late):
        assert expire_offers()["promoted"] == 1
    assert offer_of(db, c).status == OfferStatus.EXPIRED

    # 4. D, promoted last, confirms in time: the seat is taken, nobody else moves.
    with frozen(late + timedelta(hours=2)):
        response = client.post(f"/api/v1/applications/{d.id}/offer/confirm", headers=founder_token(api_token, d))
    assert response.status_code == 200 and response.json["status"] == "confirmed"
    assert offer_of(db, d).responded_at == late + timedelta(hours=2)

    # Every step is on the timeline.
    assert timeline(db, a) == [("decision", "accepted"), ("offer_made", None), ("offer_expired", None)]
    assert timeline(db, b) == [("decision", "waitlisted"), ("promoted", "accepted"), ("offer_made", None),
                               ("offer_declined", None)]
    assert timeline(db, c) == [("decision", "waitlisted"), ("promoted", "accepted"), ("offer_made", None),
                               ("offer_expired", None)]
    assert timeline(db, d) == [("decision", "waitlisted"), ("promoted", "accepted"), ("offer_made", None),
                               ("offer_confirmed", None)]
    declined = db.session.scalar(select(ApplicationEvent).where(ApplicationEvent.application_id == b.id,
                                                                ApplicationEvent.kind == "offer_declined"))
    assert declined.actor_id == b.startup.owner_id and declined.reason == "We got funded"
    promoted = db.session.scalar(select(ApplicationEvent).where(ApplicationEvent.application_id == c.id,
                                                                ApplicationEvent.kind == "promoted"))
    assert promoted.actor_id is None and f"#{b.id} was declined" in promoted.reason


def test_no_promotion_while_the_seats_are_full(app, db, client, program, manager, api_token):
    season, (last,) = make_season(program, stages=1, quota=1)
    apps = in_review(db, season, last, [("A", 5), ("B", 4), ("C", 3)])
    token = api_token(manager)
    body = {"items": [{"application_id": apps["A"].id, "decision": "advance"},
                      {"application_id": apps["B"].id, "decision": "advance"},
                      {"application_id": apps["C"].id, "decision": "waitlist"}], "confirm_over_quota": True}
    assert client.post(f"/api/v1/stages/{last.id}/decisions", json=body, headers=bearer(token)).status_code == 200
    response = client.post(f"/api/v1/applications/{apps['A'].id}/offer/decline",
                           headers=founder_token(api_token, apps["A"]))
    assert response.status_code == 200
    # B still holds the one seat: C stays on the waitlist.
    assert status_of(db, apps["C"]).status == Status.WAITLISTED and offer_of(db, apps["C"]) is None


def test_a_manager_can_accept_from_the_waitlist_by_hand(app, db, client, program, manager, api_token):
    season, (last,) = make_season(program, stages=1)
    apps = in_review(db, season, last, [("A", 5), ("B", 4)])
    token = api_token(manager)
    url = f"/api/v1/stages/{last.id}/decisions"
    body = [{"application_id": apps[n].id, "decision": "waitlist"} for n in "AB"]
    assert client.post(url, json=body, headers=bearer(token)).status_code == 200
    again = client.post(url, json=body[:1], headers=bearer(token))
    assert again.status_code == 409 and "already on the waitlist" in again.json["errors"][f"applications.{apps['A'].id}"][0]
    response = client.post(url, json=[{"application_id": apps["B"].id, "decision": "advance"}], headers=bearer(token))
    assert response.status_code == 200 and response.json["decided"][0]["offer"]["status"] == "open"
    assert db.session.scalar(select(WaitlistEntry.promoted_at).where(WaitlistEntry.application_id == apps["B"].id))
    # A declined offer now promotes A, the one still waiting.
    assert client.post(f"/api/v1/applications/{apps['B'].id}/offer/decline",
                       headers=founder_token(api_token, apps["B"])).status_code == 200
    assert offer_of(db, apps["A"]).promoted_from_waitlist


def test_an_offer_is_answered_once(app, db, client, chain, api_token):
    _, apps = chain
    headers = founder_token(api_token, apps["A"])
    with frozen(T0 + timedelta(days=1)):
        assert client.post(f"/api/v1/applications/{apps['A'].id}/offer/confirm", headers=headers).status_code == 200
        again = client.post(f"/api/v1/applications/{apps['A'].id}/offer/decline", headers=headers)
    assert again.status_code == 409 and "already confirmed" in again.json["detail"]
    assert offer_of(db, apps["A"]).status == OfferStatus.CONFIRMED
    assert status_of(db, apps["B"]).status == Status.WAITLISTED


def test_other_people_cannot_see_or_answer_an_offer(app, db, client, chain, api_token, founder, manager):
    _, apps = chain
    for user in (founder, manager, apps["B"].startup.owner):
        headers = bearer(api_token(user))
        assert client.get(f"/api/v1/applications/{apps['A'].id}/offer", headers=headers).status_code == 404
        assert client.post(f"/api/v1/applications/{apps['A'].id}/offer/confirm", headers=headers).status_code == 404
    assert client.get(f"/api/v1/applications/{apps['B'].id}/offer",
                      headers=founder_token(api_token, apps["B"])).status_code == 404  # waitlisted: no offer yet
    assert offer_of(db, apps["A"]).status == OfferStatus.OPEN


def test_the_offer_page_shows_the_deadline_in_both_zones_and_confirms(app, db, client, chain, login, post_form):
    _, apps = chain
    owner = apps["A"].startup.owner
    owner.timezone = "Europe/London"
    db.session.commit()
    login(owner)
    url = f"/my/applications/{apps['A'].id}/offer"
    deadline = T0 + timedelta(days=7)
    with frozen(T0 + timedelta(days=2)):
        page = client.get(url).get_data(as_text=True)
        assert f"{deadline.astimezone(owner_tz('Asia/Tashkent')):%H:%M} Asia/Tashkent (UTC+05:00)" in page
        assert f"{deadline:%H:%M} Europe/London (UTC+00:00)" in page
        unsure = post_form(url, {"action": "confirm"}, token_from=url)
        assert unsure.status_code == 422 and offer_of(db, apps["A"]).status == OfferStatus.OPEN
        done = post_form(url, {"action": "confirm", "sure_confirm": "yes"}, token_from=url, follow_redirects=True)
    assert "Your place is confirmed" in done.get_data(as_text=True)
    assert offer_of(db, apps["A"]).status == OfferStatus.CONFIRMED


def test_the_offer_page_refuses_a_late_confirmation_and_declines(app, db, client, chain, login, post_form):
    _, apps = chain
    login(apps["A"].startup.owner)
    url = f"/my/applications/{apps['A'].id}/offer"
    with frozen(T0 + timedelta(days=8)):
        page = client.get(url).get_data(as_text=True)
        assert "can no longer be confirmed" in page and 'name="sure_confirm"' not in page
        late = post_form(url, {"action": "confirm", "sure_confirm": "yes"}, token_from=url)
        assert late.status_code == 409 and "Asia/Tashkent (UTC+05:00)" in late.get_data(as_text=True)
        declined = post_form(url, {"action": "decline", "sure_decline": "yes"}, token_from=url, follow_redirects=True)
    assert "You have declined the offer" in declined.get_data(as_text=True)
    assert offer_of(db, apps["B"]).promoted_from_waitlist


def test_the_offer_page_is_404_for_others(app, db, client, chain, login, make_user):
    _, apps = chain
    stranger = make_user(email="stranger@example.org")
    f.grant(stranger, f.ProgramFactory(name="Elsewhere"), Role.REVIEWER)
    login(stranger)
    response = client.get(f"/my/applications/{apps['A'].id}/offer")
    assert response.status_code == 404 and "Your offer" not in response.get_data(as_text=True)


def test_the_promotion_e_mail_reaches_the_founder(smtp_app, db, client, chain, smtp_sink, api_token):
    _, apps = chain
    with frozen(T0 + timedelta(days=7, minutes=1)):
        expire_offers()
        (note,) = notes(db, "offer_promoted", apps["B"])
        assert deliver_notification(note.id).result == "sent"
    message = smtp_sink.wait_for(1, timeout=5)[0]
    assert message["Subject"] == "A place opened up: you have an offer from the waitlist"
    text = body_text(message)
    deadline = (T0 + timedelta(days=14, minutes=1)).astimezone(owner_tz("Asia/Tashkent"))
    assert f"{deadline:%H:%M} Asia/Tashkent (UTC+05:00)" in text and "B Founder" in text


def owner_tz(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)

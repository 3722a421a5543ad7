from __future__ import annotations

from sqlalchemy import Select, select

from incubator.notifications.models import Notification


def inbox(user) -> Select:
    return (select(Notification)
            .where(Notification.user_id == user.id, Notification.via_inapp.is_(True))
            .order_by(Notification.id.desc()))

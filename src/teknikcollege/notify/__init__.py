"""Notifications: the port, the default texts and the built-in log notifier."""

from .log import LogNotifier
from .messages import render, render_text
from .port import Notification, Notifier

__all__ = ["LogNotifier", "Notification", "Notifier", "render", "render_text"]

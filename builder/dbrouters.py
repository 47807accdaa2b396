"""Keeps the embedded channel layer's tables in their own SQLite file."""

CHANNEL_APPS = {"channels_lite"}


class ChannelLayerRouter:
    def db_for_read(self, model, **hints):
        return "channels" if model._meta.app_label in CHANNEL_APPS else None

    def db_for_write(self, model, **hints):
        return "channels" if model._meta.app_label in CHANNEL_APPS else None

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in CHANNEL_APPS:
            return db == "channels"
        return db == "default"

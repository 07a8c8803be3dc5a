from liaison.quality import capa_admin  # noqa: F401

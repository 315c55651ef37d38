"""The read-only dashboard and JSON API over a workspace (``impactrank serve``): the application is
:func:`impactrank.web.app.create_app`. Importing a helper module of this package (number wording, say) does not
load the web framework, so commands that only need such a helper start fast."""

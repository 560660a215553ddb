"""The web app's routes, one module per area: sign-in, inbox, stories, briefs, archive, API, feed, admin."""

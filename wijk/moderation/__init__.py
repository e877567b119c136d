"""Moderation depth (issue 17): suspending a person, and the neighbourhood rules that hold
a post for a manager's review. Content and the manager area both use these services, so
they live in a package of their own that imports neither."""

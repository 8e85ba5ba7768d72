"""Domain logic: search, nearby, areas, similarity, submissions and moderation."""

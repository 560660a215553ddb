"""Group items that tell the same event into stories, and link stories to the earlier ones they continue."""

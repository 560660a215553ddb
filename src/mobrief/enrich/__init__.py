"""Understand each item: language, relevance, entities, places, money and section."""

"""Draft every story in English in the house voice, each sentence traceable to the Russian sentence it rests on."""

"""Write the house style as code: transliteration, glossary glosses, ruble conversions, dates and the lint."""

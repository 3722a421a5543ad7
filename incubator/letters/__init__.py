"""Decision letters: the kinds, their documented placeholders, the sandboxed template engine
(`templating`) and the default letter of each kind in English, Russian and Uzbek (`defaults`)."""

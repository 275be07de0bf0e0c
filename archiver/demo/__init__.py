"""The bundled demo: sample pages shaped like a news site's articles, served on 127.0.0.1."""

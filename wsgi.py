"""What gunicorn and `flask --app wsgi` load."""
from incubator import create_app

app = create_app()

"""Local Pelican plugins. Each stands alone, as pelican-plugins' do: it imports no other plugin,
and a problem it finds reaches the content checks as a logging record (see content_checks)."""

"""What the site is made of: URLs, listing pages, HTML from templates, exports, the Markdown cards."""

"""From fetched bytes to article text: main text and metadata, canonical URLs, feeds."""

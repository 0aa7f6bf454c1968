"""The REST API (/api/v1/): serializers, filtersets, views. Reads go through querysets that
fetch what the serializers read; writes go input serializer → service → output serializer."""

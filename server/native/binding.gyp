{
  "targets": [
    {
      "target_name": "release_memory",
      "sources": ["release-memory.c"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

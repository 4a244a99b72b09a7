extension ModelManifest {
    /// The docker-style manifest Ollama writes (schema 2).
    public static let manifestMediaType = "application/vnd.docker.distribution.manifest.v2+json"
    public static let configMediaType = "application/vnd.docker.container.image.v1+json"

    /// A new manifest of Ollama's kind for `config` and `layers`.
    public init(config: Layer, layers: [Layer]) {
        self.init(schemaVersion: 2, mediaType: Self.manifestMediaType, config: config, layers: layers)
    }
}

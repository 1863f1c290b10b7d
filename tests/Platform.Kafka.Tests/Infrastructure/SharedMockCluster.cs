namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>One mock cluster for all tests of a class (<c>IClassFixture&lt;SharedMockCluster&gt;</c>); tests use their own topics.</summary>
public sealed class SharedMockCluster : IDisposable
{
    /// <summary>The cluster.</summary>
    public MockKafkaCluster Cluster { get; } = new();

    public void Dispose() => Cluster.Dispose();
}

using Platform.Connectors.Kafka;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.DeadLetters;
using Platform.Engine.Runtime;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>
/// What a test of one consumer-group member starts from: a mock cluster, an input, a results and a dead-letter topic
/// of its own, a checkpoint folder, the shared producer session of the <see cref="WindowJob"/> sink, and the member.
/// </summary>
public sealed class GroupRig : IAsyncDisposable
{
    /// <param name="prefix">Topic name prefix (the topics are unique per rig).</param>
    /// <param name="partitions">Partitions of the input and results topics (the dead-letter topic has one).</param>
    public GroupRig(string prefix, int partitions)
    {
        Partitions = partitions;
        Input = MockKafkaCluster.UniqueTopic(prefix + "-in");
        Results = MockKafkaCluster.UniqueTopic(prefix + "-out");
        DeadLetterTopic = MockKafkaCluster.UniqueTopic(prefix + "-dlq");
        Cluster.CreateTopic(Input, partitions);
        Cluster.CreateTopic(Results, partitions);
        Cluster.CreateTopic(DeadLetterTopic, 1);
        Session = new KafkaProducerSession(new KafkaSinkOptions { BootstrapServers = Cluster.BootstrapServers, Topic = Results });
    }

    public MockKafkaCluster Cluster { get; } = new();
    public TempDirectory Dir { get; } = new();
    public int Partitions { get; }
    public string Input { get; }
    public string Results { get; }
    public string DeadLetterTopic { get; }
    public KafkaProducerSession Session { get; }

    /// <summary>Records the results sink could not deliver (0 in a healthy run).</summary>
    public CountingDeadLetterSink SinkFailures { get; } = new();

    /// <summary>The member started by <see cref="Start"/>.</summary>
    public KafkaPipelineGroup? Group { get; private set; }

    /// <summary>Source options on the input topic with checkpoints in <see cref="Dir"/> and dead letters to <see cref="DeadLetterTopic"/>.</summary>
    public KafkaSourceOptions Options(string groupId, TimeSpan checkpointInterval) => new()
    {
        BootstrapServers = Cluster.BootstrapServers, Topic = Input, GroupId = groupId, CheckpointDirectory = Dir.Path,
        CheckpointInterval = checkpointInterval, DeadLetterTopic = DeadLetterTopic,
    };

    /// <summary>Starts a member running <see cref="WindowJob"/> per partition into <see cref="Results"/>.</summary>
    public KafkaPipelineGroup Start(KafkaSourceOptions options, Action<string> log, IKafkaValueTranscoder? values = null)
    {
        Group = new KafkaPipelineGroup(options, new PipelineOptions(), ctx => WindowJob.Build(ctx, Cluster.BootstrapServers, Results, Session, SinkFailures),
            log: log, values: values);
        Group.Start();
        return Group;
    }

    public async ValueTask DisposeAsync()
    {
        if (Group is not null) await Group.DisposeAsync();
        Session.Dispose();
        Dir.Dispose();
        Cluster.Dispose();
    }
}

using System.Runtime.InteropServices;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>
/// The mock-cluster functions of the librdkafka that Confluent.Kafka loaded. It picks one of several builds at
/// run time (the default needs libsasl2.so.3; without it, the centos8 build), so this finds the loaded file in
/// /proc/self/maps and binds to the same one: a cluster handle is only valid in the library that made it.
/// </summary>
internal sealed unsafe class MockNative
{
    private readonly delegate* unmanaged<IntPtr, IntPtr> _handleMockCluster;
    private readonly delegate* unmanaged<IntPtr, byte*, int, int, int> _topicCreate;
    private readonly delegate* unmanaged<IntPtr, int, void> _groupInitialRebalanceDelayMs;
    private readonly delegate* unmanaged<IntPtr, short, nuint, int*, void> _pushRequestErrorsArray;

    private MockNative(IntPtr library)
    {
        _handleMockCluster = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_handle_mock_cluster");
        _topicCreate = (delegate* unmanaged<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create");
        _groupInitialRebalanceDelayMs = (delegate* unmanaged<IntPtr, int, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_group_initial_rebalance_delay_ms");
        _pushRequestErrorsArray = (delegate* unmanaged<IntPtr, short, nuint, int*, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_push_request_errors_array");
    }

    /// <summary>Binds to the librdkafka already mapped into this process (a client must exist first).</summary>
    public static MockNative Load()
    {
        var path = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).Contains("librdkafka", StringComparison.Ordinal))
            .Select(f => f[5])
            .FirstOrDefault()
            ?? throw new InvalidOperationException("librdkafka is not loaded in this process; create a Confluent.Kafka client first.");
        return new MockNative(NativeLibrary.Load(path));
    }

    public IntPtr HandleMockCluster(IntPtr rk) => _handleMockCluster(rk);

    public int TopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(topic + "\0");
        fixed (byte* p = bytes) return _topicCreate(cluster, p, partitions, replicationFactor);
    }

    public void GroupInitialRebalanceDelayMs(IntPtr cluster, int delayMs) => _groupInitialRebalanceDelayMs(cluster, delayMs);

    public void PushRequestErrorsArray(IntPtr cluster, short apiKey, nuint count, int[] errors)
    {
        fixed (int* p = errors) _pushRequestErrorsArray(cluster, apiKey, count, p);
    }
}

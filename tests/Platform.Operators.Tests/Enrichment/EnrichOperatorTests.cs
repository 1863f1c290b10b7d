using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Operators.Enrichment;
using Platform.Operators.Tests.Geo;

namespace Platform.Operators.Tests.Enrichment;

public sealed class EnrichOperatorTests
{
    private const string Csv = """
        device,owner,site,model,threshold_low,threshold_high
        dev-1,acme,north,TX-100,-5,40
        dev-2,globex,south,TX-200,,
        "dev,3",acme,north,TX-100,0,1
        """;

    private readonly SymbolTable _symbols = new();

    private sealed class ListDeadLetters : IDeadLetterSink
    {
        public List<string> Reasons { get; } = [];

        public long Count => Reasons.Count;

        public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw) => Reasons.Add(reason);
    }

    private Telemetry Reading(string device) => new() { Device = _symbols.Intern(device), Value = 1 };

    [Fact]
    public void ParseCsv_RowsAndThresholds_Interned()
    {
        var registry = DeviceRegistry.ParseCsv(Csv, _symbols);
        Assert.Equal(3, registry.Count);
        Assert.True(registry.TryGet(_symbols.Intern("dev-1"), out var one));
        Assert.Equal(("acme", "north", "TX-100", -5.0, 40.0), (_symbols.NameOf(one.Owner), _symbols.NameOf(one.Site), _symbols.NameOf(one.Model), one.ThresholdLow, one.ThresholdHigh));
        Assert.True(registry.TryGet(_symbols.Intern("dev-2"), out var two));
        Assert.True(double.IsNaN(two.ThresholdLow));
        Assert.True(registry.TryGet(_symbols.Intern("dev,3"), out _));
    }

    [Fact]
    public void ParseCsv_MissingColumn_ClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => DeviceRegistry.ParseCsv("device,owner,model\nx,y,z\n", _symbols));
        Assert.Contains("'site'", e.Message);
    }

    [Fact]
    public void ParseCsv_BadThreshold_ClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => DeviceRegistry.ParseCsv("device,owner,site,model,threshold_low\nx,y,z,w,hot\n", _symbols));
        Assert.Contains("'hot'", e.Message);
    }

    [Theory]
    [InlineData(MissingKeyPolicy.PassThrough, 2, 0)]
    [InlineData(MissingKeyPolicy.DefaultRow, 2, 0)]
    [InlineData(MissingKeyPolicy.DeadLetter, 1, 1)]
    public void Process_UnknownDevice_FollowsPolicy(MissingKeyPolicy policy, int emitted, int deadLettered)
    {
        var handle = new RegistryHandle(() => DeviceRegistry.ParseCsv(Csv, _symbols));
        var dlq = new ListDeadLetters();
        var fallback = new DeviceInfo { Owner = _symbols.Intern("unassigned") };
        var op = new EnrichOperator(handle, policy, fallback, dlq);
        var output = new Collect<EnrichedTelemetry>();
        op.Process([Reading("dev-1"), Reading("ghost")], output);

        Assert.Equal(emitted, output.Items.Count);
        Assert.Equal(deadLettered, dlq.Reasons.Count);
        Assert.Equal(1, op.Missing);
        Assert.True(output.Items[0].Matched);
        Assert.Equal("north", _symbols.NameOf(output.Items[0].Device.Site));
        if (policy == MissingKeyPolicy.DeadLetter) Assert.Equal("unknown device", dlq.Reasons[0]);
        if (policy == MissingKeyPolicy.PassThrough) Assert.True(output.Items[1].Device.Owner.IsNone);
        if (policy == MissingKeyPolicy.DefaultRow) Assert.Equal("unassigned", _symbols.NameOf(output.Items[1].Device.Owner));
        if (emitted == 2) Assert.False(output.Items[1].Matched);
    }

    [Fact]
    public async Task RefreshAsync_UnderLoad_LosesNoRecordAndSwitchesTables()
    {
        // Version n of the table gives every device owner "v{n}"; records are processed on one thread
        // while another keeps publishing new versions.
        var version = 0;
        DeviceRegistry Build()
        {
            var n = Interlocked.Increment(ref version);
            var owner = _symbols.Intern($"v{n}");
            var rows = new Dictionary<int, DeviceInfo>();
            for (var d = 0; d < 10_000; d++) rows[_symbols.Intern($"dev-{d}").Id] = new DeviceInfo { Owner = owner };
            return new DeviceRegistry(rows);
        }
        using var handle = new RegistryHandle(Build);
        var op = new EnrichOperator(handle, MissingKeyPolicy.DeadLetter, deadLetters: new ListDeadLetters());
        var batch = Enumerable.Range(0, 1_000).Select(i => Reading($"dev-{i * 7 % 10_000}")).ToArray();
        var output = new Collect<EnrichedTelemetry>();
        using var stop = new CancellationTokenSource();
        var refresher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await handle.RefreshAsync();
        });
        var batches = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((handle.Version < 5 || batches < 200) && DateTime.UtcNow < deadline)
        {
            op.Process(batch, output);
            batches++;
        }
        stop.Cancel();
        await refresher;

        Assert.True(handle.Version >= 5, $"only {handle.Version} tables published");
        Assert.Equal(batches * batch.Length, output.Items.Count);
        Assert.Equal(0, op.Missing);
        Assert.All(output.Items, e => Assert.True(e.Matched));
        Assert.True(output.Items.Select(e => e.Device.Owner).Distinct().Count() >= 2, "the stream never saw a refreshed table");
    }

    [Fact]
    public async Task WatchFile_FileRewritten_NewTableWithoutRestart()
    {
        var dir = Directory.CreateTempSubdirectory("registry-");
        try
        {
            var path = Path.Combine(dir.FullName, "devices.csv");
            await File.WriteAllTextAsync(path, "device,owner,site,model\ndev-1,acme,north,m1\n");
            using var handle = new RegistryHandle(() => DeviceRegistry.LoadCsv(path, _symbols));
            handle.WatchFile(path);
            Assert.False(handle.Current.TryGet(_symbols.Intern("dev-9"), out _));

            var tmp = path + ".tmp";
            await File.WriteAllTextAsync(tmp, "device,owner,site,model\ndev-1,acme,north,m1\ndev-9,initech,east,m2\n");
            File.Move(tmp, path, overwrite: true);

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!handle.Current.TryGet(_symbols.Intern("dev-9"), out _) && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(handle.Current.TryGet(_symbols.Intern("dev-9"), out var nine));
            Assert.Equal("initech", _symbols.NameOf(nine.Owner));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RefreshAsync_BrokenFile_KeepsOldTableAndReportsError()
    {
        var good = true;
        using var handle = new RegistryHandle(() => good
            ? DeviceRegistry.ParseCsv(Csv, _symbols)
            : DeviceRegistry.ParseCsv("device\nx\n", _symbols));
        good = false;
        await handle.RefreshAsync();
        Assert.Equal(3, handle.Current.Count);
        Assert.IsType<InvalidDataException>(handle.LastError);
        Assert.Equal(1, handle.Version);
    }
}

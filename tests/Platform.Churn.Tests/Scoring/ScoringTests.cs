using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Operators.Churn;

namespace Platform.Churn.Tests.Scoring;

/// <summary>A small trained model: scores clamped and banded exactly at 0.4 and 0.7; model file versioned and hot-swapped; rules without a model.</summary>
[Collection(SmallModelCollection.Name)]
public sealed class ScoringTests(SmallModelFixture fixture)
{
    [Fact]
    public void Bands_and_clamp_hold_exactly_at_the_boundaries()
    {
        Assert.Equal(ChurnRiskCategory.Low, CustomerProfileUpdate.CategoryOf(0.4));
        Assert.Equal(ChurnRiskCategory.Medium, CustomerProfileUpdate.CategoryOf(Math.BitIncrement(0.4)));
        Assert.Equal(ChurnRiskCategory.Medium, CustomerProfileUpdate.CategoryOf(0.7));
        Assert.Equal(ChurnRiskCategory.High, CustomerProfileUpdate.CategoryOf(Math.BitIncrement(0.7)));
        Assert.Equal(0.05, CustomerProfileUpdate.Clamp(0.0001));
        Assert.Equal(0.95, CustomerProfileUpdate.Clamp(0.9999));
        Assert.Equal(0.4, CustomerProfileUpdate.Clamp(0.4));
    }

    [Fact]
    public void The_trained_model_learns_something_and_reports_its_metrics()
    {
        var r = fixture.Result;
        Assert.InRange(r.Auc, 0.75, 1.0);
        Assert.Equal([0.4, 0.7], r.Cutoffs.Select(c => c.Cutoff));
        Assert.All(r.Cutoffs, c => Assert.InRange(c.Precision, 0.01, 1.0));
        Assert.True(r.Cutoffs[0].Recall >= r.Cutoffs[1].Recall, "a lower cut-off flags at least as many churners");
        Assert.Equal(ChurnFeatures.Count, r.Importances.Count);
        Assert.Equal(1.0, r.Importances.Sum(i => i.Importance), 3);
        Assert.StartsWith("churn-fasttree-", r.Model.Info.Version, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_model_score_through_the_operator_is_clamped_and_banded_by_the_cutoffs()
    {
        using var source = new ChurnModelSource(fixture.ModelPath, TimeSpan.Zero);
        Assert.NotNull(source.Current);
        var symbols = new SymbolTable();
        var updates = RunFile(symbols, source);
        Assert.True(updates.Count > 1000, $"{updates.Count} updates");
        Assert.All(updates, u =>
        {
            Assert.InRange(u.Score, 0.05, 0.95);
            Assert.Equal(u.Score > 0.7 ? ChurnRiskCategory.High : u.Score > 0.4 ? ChurnRiskCategory.Medium : ChurnRiskCategory.Low, u.Category);
            Assert.True(u.FromModel);
            Assert.Equal(fixture.Result.Model.Info.Version, symbols.NameOf(u.ModelVersion));
        });
        // The model is confident about many customers: the clamp is visible at both ends.
        Assert.Contains(updates, u => u.Score == 0.05);
        Assert.Contains(updates, u => u.Score == 0.95);
        // The last score per customer agrees with the labels well beyond chance.
        // Visitors who never signed up are scored under their anonymous id and have no label.
        var last = updates.GroupBy(u => symbols.NameOf(u.CustomerId)).Where(g => fixture.Labels.ContainsKey(g.Key)).ToDictionary(g => g.Key, g => g.Last().Score);
        Assert.True(last.Count > fixture.Labels.Count * 9 / 10, $"{last.Count} labelled customers scored");
        var churners = last.Where(kv => fixture.Labels[kv.Key]).Average(kv => kv.Value);
        var stayers = last.Where(kv => !fixture.Labels[kv.Key]).Average(kv => kv.Value);
        Assert.True(churners > stayers + 0.2, $"churners {churners:F2}, stayers {stayers:F2}");
    }

    [Fact]
    public void Without_a_model_the_rules_serve_and_say_so_and_a_new_model_file_is_picked_up_without_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("churn-swap-").FullName;
        try
        {
            var path = Path.Combine(folder, "model.zip");
            using var source = new ChurnModelSource(path, TimeSpan.Zero);
            Assert.Null(source.Current);
            var symbols = new SymbolTable();
            var op = new ChurnScoringOperator(symbols, source);
            var events = Events.Parse(symbols,
                Events.Track("carol", "Session: Started", 1),
                Events.Identify("carol", 1.1, "{\"gaming_level\":3,\"twitch_linked\":false}"));
            var before = new ListOutput<CustomerProfileUpdate>();
            op.OnRecords(events, before);
            op.OnWatermark(Events.Day0.AddDays(2).ToUnixTimeMilliseconds(), before);
            var rules = Assert.Single(before.Items);
            Assert.False(rules.FromModel);
            Assert.Equal(HeuristicChurnScorer.RulesVersion, symbols.NameOf(rules.ModelVersion));
            // The seed's rule: 0.5 + 0.01 × days idle − 0.02 × level + 0.1 without Twitch, scored at the newest event
            // time (day 1.1), 0.1 days after the last activity (the session on day 1).
            Assert.Equal(0.5 + 0.01 * 0.1 - 0.02 * 3 + 0.1, rules.Score, 5);

            File.Copy(fixture.ModelPath, path);
            Assert.True(source.Refresh());
            var after = new ListOutput<CustomerProfileUpdate>();
            op.OnRecords(Events.Parse(symbols, Events.Track("carol", "Financial: Withdrawal Made", 40, "{\"amount\":900}")), after);
            op.OnWatermark(long.MaxValue, after);
            var scored = Assert.Single(after.Items);
            Assert.True(scored.FromModel);
            Assert.Equal(fixture.Result.Model.Info.Version, symbols.NameOf(scored.ModelVersion));
            Assert.False(source.Refresh(), "an unchanged file is not reloaded");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_churn_model_is_reported_and_the_previous_model_stays()
    {
        var folder = Directory.CreateTempSubdirectory("churn-bad-").FullName;
        try
        {
            var path = Path.Combine(folder, "model.zip");
            File.Copy(fixture.ModelPath, path);
            var log = new List<string>();
            using var source = new ChurnModelSource(path, TimeSpan.Zero, log.Add);
            var good = source.Current;
            Assert.NotNull(good);
            File.WriteAllText(path, "not a zip");
            Assert.False(source.Refresh());
            Assert.Same(good, source.Current);
            Assert.Contains(log, l => l.Contains("not loaded", StringComparison.Ordinal) && l.Contains(good.Info.Version, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private List<CustomerProfileUpdate> RunFile(SymbolTable symbols, ChurnModelSource source)
    {
        var lines = File.ReadAllLines(fixture.EventsPath);
        var graph = new IdentityGraph();
        var op = new ChurnScoringOperator(symbols, source, graph, new ChurnScoringOptions { RescoreEvery = TimeSpan.FromDays(7) });
        var output = new ListOutput<CustomerProfileUpdate>();
        for (var i = 0; i < lines.Length; i += 5000)
        {
            var parsed = Events.Parse(symbols, lines[i..Math.Min(lines.Length, i + 5000)]);
            var resolved = new ListOutput<Formats.Segment.CustomerEvent>();
            new ResolveIdentities(graph).Process(parsed, resolved);
            op.OnRecords(resolved.Items.ToArray(), output);
            op.OnWatermark(resolved.Items[^1].Timestamp - 60_000, output);
        }
        op.OnWatermark(long.MaxValue, output);
        return output.Items;
    }
}

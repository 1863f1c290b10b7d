using System.Globalization;
using Microsoft.Playwright;
using Platform.Sinks.Alerts;

namespace Platform.Ops.Tests;

/// <summary>
/// Opens the dashboard in headless Chromium through Playwright. The browser is the system's
/// Chromium (<c>PLATFORM_TEST_CHROMIUM</c>, installed by tests/services/chromium.sh); Playwright's
/// own browser download is not used.
/// </summary>
public class DashboardBrowserTests
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    [Fact]
    public async Task Dashboard_RunningSamplePipeline_ShowsGraphRisingCountersAndInjectedAlert()
    {
        var chromium = Environment.GetEnvironmentVariable("PLATFORM_TEST_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium not found at {chromium}: run tests/run.sh (tests/services/chromium.sh installs it) or set PLATFORM_TEST_CHROMIUM.");
        await using var fixture = await DashboardFixture.StartAsync(rate: 100_000, monitored: true);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        await page.GotoAsync(new Uri(fixture.Address, "/dashboard").ToString());

        // The graph: one box per stage, fused hops marked, and the monitors watching the stream.
        var stages = page.Locator("#graph .stage:not(.monitor)");
        await Assertions.Expect(stages).ToHaveCountAsync(fixture.Graph.Stages.Count, new() { Timeout = 15_000 });
        Assert.Equal(3, fixture.SideStages.Count);
        await Assertions.Expect(page.Locator("#graph .stage.monitor")).ToHaveCountAsync(fixture.SideStages.Count);
        Assert.Equal(fixture.Graph.Stages[0].Name, (await stages.First.Locator(".name").InnerTextAsync()).Trim());
        Assert.Equal(fixture.Graph.Stages.Count(s => s.FusedWithPrevious), await page.Locator("#graph .arrow.fused").CountAsync());

        // Rising counters: two readings, the second higher.
        var first = await WaitForCountAsync(page, "#records-in", min: 1);
        var second = await WaitForCountAsync(page, "#records-in", min: first + 1);
        Assert.True(second > first, $"records in should rise: {first} then {second}");
        Assert.Equal("off", await page.Locator("#checkpoint").InnerTextAsync());

        // An anomaly the generator injected into the data, caught by the anomaly operator, appears in the alert table.
        var anomaly = page.Locator("#alerts tbody tr.alert", new() { HasText = "anomaly" });
        await Assertions.Expect(anomaly.First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.Contains(fixture.Alerts.Recent(), a => a.Source == "anomaly" && a.Score >= 0.999);
        var text = (await anomaly.First.InnerTextAsync()).ToLowerInvariant();
        Assert.True(text.Contains("warning", StringComparison.Ordinal) || text.Contains("critical", StringComparison.Ordinal), text);
        Assert.Matches("[\\w-]+/(temperature|humidity|pressure|vibration)", text);

        // For the README picture: let the first windows fire (10 s of event time is 1 M generated
        // records) so the output side shows numbers too; the picture is taken either way.
        try { await WaitForCountAsync(page, "#records-out", min: 1, seconds: 40); } catch (TimeoutException) { }
        await page.WaitForTimeoutAsync(2_000);
        var screenshot = Path.Combine(RepoPaths.Root, "docs", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = false });
        Assert.True(new FileInfo(screenshot).Length > 10_000);

        // A phone-sized viewport still shows the graph and the table without a horizontal page scroll.
        await page.SetViewportSizeAsync(390, 844);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow, "the page scrolls sideways on a phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "platform-dashboard-phone.png"), FullPage = true });
    }

    private static async Task<long> WaitForCountAsync(IPage page, string selector, long min, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var text = await page.Locator(selector).InnerTextAsync();
            var value = long.Parse(new string(text.Where(char.IsAsciiDigit).ToArray()) is { Length: > 0 } d ? d : "0", CultureInfo.InvariantCulture);
            if (value >= min) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{selector} stayed at {value}, expected ≥ {min}");
            await page.WaitForTimeoutAsync(250);
        }
    }
}

using System.Diagnostics;

namespace Platform.Ingest.Tests.Mqtt;

/// <summary>The mosquitto started by tests/services/mosquitto.sh (port, and how to restart it).</summary>
internal static class MosquittoBroker
{
    public static int Port => int.Parse(Require("PLATFORM_TEST_MQTT_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    private static string Require(string name) => Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException($"{name} is not set: run the tests through tests/run.sh, which starts mosquitto (tests/services/mosquitto.sh).");

    /// <summary>Stops the broker gracefully (SIGTERM: it saves its persistence) and starts it again with the same config.</summary>
    public static async Task RestartAsync(TimeSpan downFor)
    {
        var pidFile = Require("PLATFORM_TEST_MQTT_PIDFILE");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        // SIGTERM: mosquitto writes its persistence file on the way out (a SIGKILL would lose what it
        // had not autosaved, which no client setting can prevent).
        using (var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        for (var i = 0; i < 100 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(100);
        await Task.Delay(downFor);
        // Not redirected: nobody would drain the pipes, and a broker blocked on a full stderr pipe stalls (it logs to a file).
        var start = new ProcessStartInfo(Require("PLATFORM_TEST_MQTT_BIN"), ["-c", Require("PLATFORM_TEST_MQTT_CONFIG")]);
        var p = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start");
        File.WriteAllText(pidFile, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var c = new System.Net.Sockets.TcpClient();
                await c.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException("mosquitto did not come back within 10 s");
    }
}

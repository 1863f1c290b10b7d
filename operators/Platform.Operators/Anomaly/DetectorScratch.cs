using Platform.Operators.Anomaly.Detectors;

namespace Platform.Operators.Anomaly;

/// <summary>Working memory shared by every series of one (single-threaded) operator instance.</summary>
internal sealed class DetectorScratch
{
    public DetectorScratch(AnomalyDetectorOptions options)
    {
        Fft = new Fft(options.SpectralWindow);
        Sample = new int[IsolationForestDetector.SampleSize];
        Point = new double[options.ForestShingle];
    }

    public Fft Fft { get; }
    public double[] Raw { get; } = new double[SeriesDetector.Count];
    public double[] Calibrated { get; } = new double[SeriesDetector.Count];
    public int[] Sample { get; }
    public double[] Point { get; }
}

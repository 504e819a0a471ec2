using UniAD.Core.Training;
using UniAD.Lab.Web.Extensions;

namespace UniAD.Lab.Web.Tests;

/// <summary>The run files offered for download: the engine names them, the web project gives each its content type.</summary>
public sealed class FileEndpointsTests
{
    [Fact]
    public void EveryDownloadOfARunHasItsContentTypeInTheEnginesOrder()
    {
        Assert.Equal(RunFolder.Downloads, FileEndpoints.Downloads.Keys);
        Assert.Equal("application/zip", FileEndpoints.Downloads[RunFolder.CheckpointFile]);
        Assert.Equal("application/zip", FileEndpoints.Downloads[RunFolder.AnomalyMapsFile]);
        Assert.Equal("text/csv", FileEndpoints.Downloads[RunFolder.ResultsCsvFile]);
        Assert.Equal("application/json", FileEndpoints.Downloads[RunFolder.ConfigFile]);
        Assert.Equal("text/plain", FileEndpoints.Downloads[RunFolder.LogFile]);
    }
}

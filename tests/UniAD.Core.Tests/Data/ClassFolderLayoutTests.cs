using UniAD.Core.Data;

namespace UniAD.Core.Tests.Data;

public class ClassFolderLayoutTests
{
    /// <summary>train/ and test/ with classes a..d, each a few copies of one small PNG.</summary>
    [Fact]
    public void NormalClassesTrainTheRestAreAnomalousAtImageLevel()
    {
        using var source = new TinyDataset();
        var root = TinyDataset.FolderOfClasses(source);
        var dataset = ClassFolderLayout.Read(root, new ClassFolderOptions(["0", "cat"]));   // by index and by name
        Assert.Equal(["normal=ant+cat"], dataset.Categories);
        Assert.Equal(10, dataset.Train.Count);
        Assert.All(dataset.Train, s => Assert.Contains(s.Key.Split('/')[1], new[] { "ant", "cat" }));
        Assert.Equal(20, dataset.Test.Count);
        Assert.Equal(10, dataset.Test.Count(s => s.IsAnomalous));
        Assert.All(dataset.Test, s => Assert.Null(s.MaskPath));
        Assert.True(ClassFolderLayout.Looks(root));
        Assert.False(ClassFolderLayout.Looks(source.Root));
    }

    [Fact]
    public void SubsetsAreFixedBySeedAndSized()
    {
        using var source = new TinyDataset();
        var root = TinyDataset.FolderOfClasses(source);
        var options = new ClassFolderOptions(["bee"], TrainPerClass: 2, TestPerClass: 3, Seed: 4);
        var a = ClassFolderLayout.Read(root, options);
        Assert.Equal(2, a.Train.Count);
        Assert.Equal(12, a.Test.Count);
        Assert.Equal(a.Samples.Select(s => s.Key), ClassFolderLayout.Read(root, options).Samples.Select(s => s.Key));
    }

    [Fact]
    public void UnknownOrAllClassesAreRejected()
    {
        using var source = new TinyDataset();
        var root = TinyDataset.FolderOfClasses(source);
        Assert.Contains("unknown class 'emu'", Assert.Throws<DatasetException>(() => ClassFolderLayout.Read(root, new(["emu"]))).Message);
        Assert.Contains("some but not all", Assert.Throws<DatasetException>(() => ClassFolderLayout.Read(root, new(["0", "1", "2", "3"]))).Message);
    }

    [Theory]
    [InlineData(new[] { "02468" }, new[] { "0", "2", "4", "6", "8" })]
    [InlineData(new[] { "1,3", "dog" }, new[] { "1", "3", "dog" })]
    [InlineData(new[] { "7" }, new[] { "7" })]
    public void NormalClassesParseFromListsAndPaperSplits(string[] given, string[] expected) =>
        Assert.Equal(expected, ClassFolderOptions.Parse(given).NormalClasses);
}

namespace UniAD.Core.Data;

/// <summary>Opens a dataset given either an MVTec-layout folder, or UniAD JSON-lines metadata files with the
/// folder their paths are relative to.</summary>
public static class DatasetLoader
{
    public static AnomalyDataset Open(string root, string? trainMetadata = null, string? testMetadata = null,
        IReadOnlyCollection<string>? categories = null)
    {
        if (!Directory.Exists(root)) throw new DatasetException($"dataset folder not found: {Path.GetFullPath(root)}");
        if ((trainMetadata is null) != (testMetadata is null))
            throw new DatasetException("give both the train and the test metadata file, or neither");
        var dataset = trainMetadata is null
            ? MvtecLayout.Read(root)
            : UniadJsonl.Read(trainMetadata, testMetadata!, root);
        return dataset.WithCategories(categories);
    }
}

namespace UniAD.Core.Data;

/// <summary>Opens a dataset given an MVTec-layout folder, a VisA folder (its <c>split_csv/1cls.csv</c>), UniAD JSON-lines
/// metadata files with the folder their paths are relative to, or a folder of classes with the normal ones chosen.</summary>
public static class DatasetLoader
{
    public static AnomalyDataset Open(string root, string? trainMetadata = null, string? testMetadata = null,
        IReadOnlyCollection<string>? categories = null, ClassFolderOptions? classFolder = null)
    {
        if (!Directory.Exists(root)) throw new DatasetException($"dataset folder not found: {Path.GetFullPath(root)}");
        if ((trainMetadata is null) != (testMetadata is null))
            throw new DatasetException("give both the train and the test metadata file, or neither");
        var dataset = classFolder is not null ? ClassFolderLayout.Read(root, classFolder)
            : trainMetadata is not null ? UniadJsonl.Read(trainMetadata, testMetadata!, root)
            : VisaLayout.Looks(root) ? VisaLayout.Read(root)
            : MvtecLayout.Read(root);
        return dataset.WithCategories(categories);
    }
}

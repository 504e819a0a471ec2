using System.Reflection;
using Xunit.Sdk;

// Every fault test (and every row of a theory) counts as started, so that the suite's summary can tell whether each passed.
[assembly: UniAD.Lab.FaultTests.CountedTest]

namespace UniAD.Lab.FaultTests;

[AttributeUsage(AttributeTargets.Assembly)]
public sealed class CountedTestAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest) => FaultSuite.Started(methodUnderTest);
}

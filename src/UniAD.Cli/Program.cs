Console.WriteLine("uniad");

"""sklearn-digits: a Flower Message-API app used by Sepal's demo and interop tests."""

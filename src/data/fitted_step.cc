#include "data/fitted_step.h"

#include <string>

namespace modelhost::data {

std::string_view OpName(const FittedStep& step) {
  return std::visit([](const auto& typed) { return OpNameOf(typed); }, step);
}

std::string StepPlace(size_t index, std::string_view op) {
  return "pipeline step " + std::to_string(index + 1) + " (" + std::string(op) + ")";
}

const std::vector<std::string>& StepColumns(const FittedStep& step) {
  return std::visit(
      [](const auto& typed) -> const std::vector<std::string>& { return typed.columns; }, step);
}

}  // namespace modelhost::data

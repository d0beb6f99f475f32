// The one exception type for bad input (scenario files, command-line values): it carries
// the location so the message can name file, line and field (exit status 2).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace hugecheck {

class InputError : public std::runtime_error {
  public:
    InputError(std::string file, std::uint32_t line, std::string field, std::string message)
        : std::runtime_error(render(file, line, field, message)),
          file_(std::move(file)),
          line_(line),
          field_(std::move(field)) {}

    const std::string& file() const { return file_; }
    std::uint32_t line() const { return line_; }  // 0 when the input has no lines
    const std::string& field() const { return field_; }

  private:
    static std::string render(const std::string& file, std::uint32_t line, const std::string& field,
                              const std::string& message) {
        std::string out = file;
        if (line > 0) out.append(":").append(std::to_string(line));
        out.append(": ");
        if (!field.empty()) out.append("field '").append(field).append("': ");
        out.append(message);
        return out;
    }

    std::string file_;
    std::uint32_t line_;
    std::string field_;
};

}  // namespace hugecheck
